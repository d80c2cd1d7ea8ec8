/**
 * Azure support (Microsoft.Support, api-version 2020-04-01) inside the lab's fake ARM: the service
 * catalogue, problem classifications, and support tickets created the way Azure's published
 * examples show (CreateTechnicalSupportTicketForSubscription: PUT → 202 with Azure-AsyncOperation,
 * the operation polled, then the ticket read). Tickets are kept by name, as ARM keeps resources.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { readBody } from './http-answers.js';

export const CONTAINER_REGISTRY_SERVICE = '6ae7a8ad-64b4-4e1a-9b1d-6c7c5b0a6a11';
export const NETWORKING_CLASSIFICATION = `/providers/Microsoft.Support/services/${CONTAINER_REGISTRY_SERVICE}/problemClassifications/3b4a1f0e-6cc5-4c7a-9d5e-1b2c3d4e5f60`;
const SEVERITIES = ['minimal', 'moderate', 'critical', 'highestcriticalimpact'];
const API = '2020-04-01';

export interface FakeSupport {
  /** Tickets by name (the ARM resource name the client chose). */
  tickets: Map<string, { name: string; properties: Record<string, unknown> }>;
  /** Ticket PUTs seen (a second PUT of one name is a duplicate attempt). */
  puts: string[];
  /** While true, create operations never finish (the bot can be killed mid-way). */
  hangOperations: boolean;
  /** The next this-many requests answer 503. */
  failNext: number;
  handle(req: http.IncomingMessage, res: http.ServerResponse, path: string, send: Send): boolean;
}

type Send = (res: http.ServerResponse, status: number, body: object, headers?: Record<string, string>) => void;

export function createFakeSupport(host: string): FakeSupport {
  const operations = new Map<string, string>();
  const support: FakeSupport = {
    tickets: new Map(),
    puts: [],
    hangOperations: false,
    failNext: 0,
    handle(req, res, path, send) {
      if (!/\/providers\/Microsoft\.Support\//i.test(path)) return false;
      if (support.failNext > 0) {
        support.failNext--;
        send(res, 503, { error: { code: 'ServiceUnavailable', message: 'The support service is temporarily unavailable.' } });
        return true;
      }
      if (/^\/providers\/Microsoft\.Support\/services$/i.test(path)) {
        send(res, 200, {
          value: [
            { id: '/providers/Microsoft.Support/services/virtual_machine_running_linux_service_guid', name: 'virtual_machine_running_linux_service_guid', type: 'Microsoft.Support/services', properties: { displayName: 'Virtual Machine running Linux', resourceTypes: ['MICROSOFT.CLASSICCOMPUTE/VIRTUALMACHINES', 'MICROSOFT.COMPUTE/VIRTUALMACHINES'] } },
            { id: `/providers/Microsoft.Support/services/${CONTAINER_REGISTRY_SERVICE}`, name: CONTAINER_REGISTRY_SERVICE, type: 'Microsoft.Support/services', properties: { displayName: 'Container Registry', resourceTypes: ['MICROSOFT.CONTAINERREGISTRY/REGISTRIES'] } },
          ],
        });
        return true;
      }
      if (new RegExp(`^/providers/Microsoft\\.Support/services/${CONTAINER_REGISTRY_SERVICE}/problemClassifications$`, 'i').test(path)) {
        send(res, 200, {
          value: [
            { id: `/providers/Microsoft.Support/services/${CONTAINER_REGISTRY_SERVICE}/problemClassifications/0f0e0d0c-0b0a-4090-8070-605040302010`, name: '0f0e0d0c-0b0a-4090-8070-605040302010', type: 'Microsoft.Support/problemClassifications', properties: { displayName: 'Authentication / Login failures' } },
            { id: NETWORKING_CLASSIFICATION, name: NETWORKING_CLASSIFICATION.split('/').pop(), type: 'Microsoft.Support/problemClassifications', properties: { displayName: 'Networking / Cannot connect to the registry (firewall, private endpoint)' } },
          ],
        });
        return true;
      }
      const operation = /^\/subscriptions\/[^/]+\/providers\/Microsoft\.Support\/operationsStatus\/([^/]+)$/i.exec(path);
      if (operation) {
        if (support.hangOperations) return true; // accepted, never answered
        send(res, 200, { status: operations.has(operation[1]!) ? 'Succeeded' : 'Failed' });
        return true;
      }
      const ticket = /^\/subscriptions\/([^/]+)\/providers\/Microsoft\.Support\/supportTickets\/([^/]+)$/i.exec(path);
      if (!ticket) return false;
      const [, subscription, name] = ticket;
      const id = `/subscriptions/${subscription}/providers/Microsoft.Support/supportTickets/${name}`;
      const existing = support.tickets.get(name!);
      if (req.method === 'GET') {
        if (!existing) send(res, 404, { error: { code: 'ResourceNotFound', message: `Support ticket '${name}' was not found.` } });
        else send(res, 200, { id, name, type: 'Microsoft.Support/supportTickets', properties: existing.properties });
        return true;
      }
      if (req.method !== 'PUT') return false;
      void readBody(req).then((text) => {
        support.puts.push(name!);
        if (existing) return send(res, 409, { error: { code: 'Conflict', message: `A support ticket named '${name}' already exists.` } });
        const properties = ((JSON.parse(text || '{}') as { properties?: Record<string, unknown> }).properties ?? {}) as Record<string, unknown>;
        const contact = (properties.contactDetails ?? {}) as Record<string, unknown>;
        const missing = ['title', 'description', 'serviceId', 'problemClassificationId', 'severity'].filter((k) => typeof properties[k] !== 'string' || !properties[k]);
        missing.push(...['firstName', 'lastName', 'primaryEmailAddress', 'preferredContactMethod', 'preferredTimeZone', 'country', 'preferredSupportLanguage'].filter((k) => !contact[k]).map((k) => `contactDetails.${k}`));
        if (missing.length || !SEVERITIES.includes(String(properties.severity))) {
          return send(res, 400, { error: { code: 'BadRequest', message: `Invalid support ticket: ${missing.join(', ') || `severity ${String(properties.severity)}`}` } });
        }
        const now = new Date().toISOString();
        support.tickets.set(name!, {
          name: name!,
          properties: { ...properties, supportTicketId: String(2611240000000 + support.tickets.size + 1), status: 'Open', createdDate: now, modifiedDate: now, serviceDisplayName: 'Container Registry', supportPlanType: 'Premier', require24X7Response: false },
        });
        const op = randomUUID();
        operations.set(op, name!);
        send(res, 202, {}, {
          'azure-asyncoperation': `https://${host}/subscriptions/${subscription}/providers/Microsoft.Support/operationsStatus/${op}?api-version=${API}`,
          location: `https://${host}/subscriptions/${subscription}/providers/Microsoft.Support/operationResults/${op}?api-version=${API}`,
        });
      });
      return true;
    },
  };
  return support;
}
