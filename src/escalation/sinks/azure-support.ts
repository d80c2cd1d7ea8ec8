/**
 * Azure support requests (@azure/arm-support), filed with the bot's own identity, which needs the
 * Support Request Contributor role on the subscription. The ticket's ARM name is the idempotency
 * key, so "does it exist" is a GET of that name, and two creators can only ever make one resource.
 * The API takes no attachments: the report goes into the description, after the text.
 */
import type { TokenCredential } from '@azure/identity';
import type { MicrosoftSupport, SupportTicketDetails } from '@azure/arm-support';
import { statusOf } from '../../engine/arm/arm-error.js';
import type { AzureCloud } from '../../engine/azure/cloud.js';
import { SinkError, type Severity, type Ticket, type TicketRequest, type TicketSink } from '../ticket.js';
import { ticketText } from '../ticket-text.js';

export interface AzureSupportOptions {
  credential: () => Promise<TokenCredential>;
  cloud: AzureCloud;
  /** The portal that shows tickets (for the link on the card). */
  portalUrl?: string;
  /** `/providers/Microsoft.Support/services/<id>/problemClassifications/<id>`; looked up when empty. */
  problemClassificationId?: string;
  /** Microsoft time zone name for the contact (https://support.microsoft.com/help/973627). */
  timeZone?: string;
  /** ISO 3166-1 alpha-3. */
  country?: string;
  /** How often the create operation is polled. */
  pollIntervalMs?: number;
}

/** Longest description we send; the report JSON after the text is cut to fit. */
export const DESCRIPTION_LIMIT = 20_000;
/** Languages Azure support takes (the API's list); the others are served in English. */
const SUPPORT_LANGUAGES: Record<string, string> = { en: 'en-us', ru: 'ru-ru' };

export function supportDescription(request: TicketRequest): string {
  const text = ticketText(request);
  const head = `${text}\n\n--- Report (JSON, acr-doctor schema v${request.report.schemaVersion})\n`;
  const json = JSON.stringify(request.report);
  const room = DESCRIPTION_LIMIT - head.length;
  if (json.length <= room) return head + json;
  const cut = '… [cut to fit; the full report is kept with the bot]';
  return head + json.slice(0, Math.max(0, room - cut.length)) + cut;
}

export class AzureSupportSink implements TicketSink {
  readonly kind = 'azure';
  readonly severities: readonly Severity[] = ['minimal', 'moderate', 'critical', 'highestcriticalimpact'];
  readonly needsSubscription = true;
  private classification?: Promise<{ serviceId: string; problemClassificationId: string }>;

  constructor(private readonly options: AzureSupportOptions) {}

  private async client(subscriptionId: string, asker?: TokenCredential): Promise<MicrosoftSupport> {
    // A CommonJS package: bundled, its exports may sit under `default`.
    const module = (await import('@azure/arm-support')) as typeof import('@azure/arm-support') & { default?: typeof import('@azure/arm-support') };
    const { MicrosoftSupport: Client } = module.default ?? module;
    const { armEndpoint } = this.options.cloud;
    return new Client(asker ?? (await this.options.credential()), subscriptionId, { endpoint: armEndpoint, credentialScopes: [`${armEndpoint}/.default`] });
  }

  async deliver(request: TicketRequest, signal: AbortSignal, credential?: TokenCredential): Promise<Ticket> {
    const subscriptionId = request.subscriptionId;
    if (!subscriptionId) throw new SinkError('an Azure support request needs a subscription', true);
    try {
      const client = await this.client(subscriptionId, credential);
      const existing = await this.get(client, request.key, signal);
      if (existing) return existing;
      const { serviceId, problemClassificationId } = await this.problemClassification(client, signal);
      const details: SupportTicketDetails = {
        title: request.title,
        description: supportDescription(request),
        serviceId,
        problemClassificationId,
        severity: request.severity,
        contactDetails: {
          firstName: request.contact.firstName,
          lastName: request.contact.lastName,
          primaryEmailAddress: request.contact.email,
          preferredContactMethod: request.contact.method,
          ...(request.contact.phone ? { phoneNumber: request.contact.phone } : {}),
          preferredTimeZone: this.options.timeZone ?? 'UTC',
          country: this.options.country ?? 'usa',
          preferredSupportLanguage: SUPPORT_LANGUAGES[request.lang] ?? 'en-us',
        },
        ...(request.report.facts.resourceId ? { technicalTicketDetails: { resourceId: request.report.facts.resourceId } } : {}),
      };
      try {
        const created = await client.supportTickets.beginCreateAndWait(request.key, details, { abortSignal: signal, updateIntervalInMs: this.options.pollIntervalMs ?? 2000 });
        return this.ticketOf(request.key, created);
      } catch (err) {
        // Someone else created it under this name meanwhile: that is the ticket.
        if (statusOf(err) === 409) return (await this.get(client, request.key, signal)) ?? Promise.reject(err);
        throw err;
      }
    } catch (err) {
      throw err instanceof SinkError ? err : sinkError(err);
    }
  }

  async find(key: string, signal: AbortSignal, subscriptionId?: string): Promise<Ticket | undefined> {
    if (!subscriptionId) return undefined;
    try {
      return await this.get(await this.client(subscriptionId), key, signal);
    } catch (err) {
      throw err instanceof SinkError ? err : sinkError(err);
    }
  }

  private async get(client: MicrosoftSupport, key: string, signal: AbortSignal): Promise<Ticket | undefined> {
    try {
      return this.ticketOf(key, await client.supportTickets.get(key, { abortSignal: signal }));
    } catch (err) {
      if (statusOf(err) === 404) return undefined;
      throw err;
    }
  }

  /** Container Registry's networking category: configured, or found in the service catalogue once. */
  private problemClassification(client: MicrosoftSupport, signal: AbortSignal): Promise<{ serviceId: string; problemClassificationId: string }> {
    const configured = this.options.problemClassificationId;
    if (configured) return Promise.resolve({ serviceId: configured.replace(/\/problemClassifications\/.*$/i, ''), problemClassificationId: configured });
    this.classification ??= (async () => {
      const services = [];
      for await (const s of client.services.list({ abortSignal: signal })) services.push(s);
      const service = services.find((s) => /container registry/i.test(s.displayName ?? ''));
      if (!service?.name || !service.id) throw new SinkError('Azure support lists no "Container Registry" service; set SUPPORT_PROBLEM_CLASSIFICATION_ID', true);
      const classes = [];
      for await (const c of client.problemClassifications.list(service.name, { abortSignal: signal })) classes.push(c);
      const chosen = classes.find((c) => /network|connectivity|connect/i.test(c.displayName ?? '')) ?? classes[0];
      if (!chosen?.id) throw new SinkError(`Azure support lists no problem classification for ${service.displayName ?? service.name}`, true);
      return { serviceId: service.id, problemClassificationId: chosen.id };
    })();
    this.classification.catch(() => (this.classification = undefined));
    return this.classification;
  }

  private ticketOf(key: string, details: SupportTicketDetails): Ticket {
    const portal = (this.options.portalUrl ?? 'https://portal.azure.com').replace(/\/+$/, '');
    return {
      key,
      sink: 'azure',
      id: details.supportTicketId ?? key,
      ...(details.id ? { url: `${portal}/#resource${details.id}` } : {}),
      status: details.status ?? 'Open',
      createdAt: details.createdDate?.toISOString() ?? new Date().toISOString(),
    };
  }
}

/** Azure's answer as retry-or-not: refusals (400, 401, 403, 404) stay refusals; the rest may pass later. */
function sinkError(err: unknown): SinkError {
  const status = statusOf(err);
  const message = err instanceof Error ? err.message.split('\n')[0]! : String(err);
  if (err instanceof Error && (err.name === 'CredentialUnavailableError' || err.name === 'AggregateAuthenticationError')) {
    return new SinkError(`no Azure identity for the bot: ${message}`, true, { cause: err });
  }
  if (status === 403) return new SinkError(`Azure support refused (403): the bot's identity needs the Support Request Contributor role on the subscription. ${message}`, true, { cause: err });
  if (status !== undefined && [400, 401, 404].includes(status)) return new SinkError(`Azure support refused (${status}): ${message}`, true, { cause: err });
  return new SinkError(`Azure support did not answer in time or failed${status ? ` (${status})` : ''}: ${message}`, false, { cause: err });
}
