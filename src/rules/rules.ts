/**
 * The rules: one small predicate per rule id of knowledge.json, in order of precedence.
 * A rule reads evidence and facts and says which evidence it rests on and what to fill into its texts.
 */
import { addressesOf } from '../probes/dns.js';
import type { Evidence } from '../probes/evidence.js';
import { isInternal, classifyAddress } from '../probes/address.js';
import { RuleContext, text } from './context.js';

export interface Match {
  evidence: string[];
  params: Record<string, string>;
}

export type Predicate = (ctx: RuleContext) => Match | undefined;

const ids = (list: Evidence[]): string[] => list.map((e) => e.id);
const match = (list: Evidence[], params: Record<string, string> = {}): Match | undefined =>
  list.length > 0 ? { evidence: ids(list), params } : undefined;

const SERVICE_SYMPTOMS = ['azure-service-cannot-pull', 'defender-cannot-scan', 'tasks-cannot-push-pull'];
const MANAGEMENT_SYMPTOMS = ['network-settings-save-failed', 'portal-cannot-manage', 'cannot-edit-network-rules'];
const CONNECTION_FAILED = ['tcp.timeout', 'tcp.unreachable', 'tcp.refused', 'tls.timeout', 'v2.transport.'];

function internalAddresses(system: Evidence | undefined): string[] {
  return system ? addressesOf(system.data).filter((a) => isInternal(classifyAddress(a))) : [];
}

export const RULES: ReadonlyArray<[id: string, predicate: Predicate]> = [
  [
    'dns-nxdomain',
    (ctx) => {
      const servers = ctx.withOutcome('dns.server.nxdomain');
      const system = ctx.withOutcome('dns.system.notfound');
      // With no direct answer at all, the system resolver's "no such host" alone decides.
      const direct = ctx.ofKind('dns.server').some((e) => e.status === 'pass' || e.outcome.startsWith('dns.server.nxdomain'));
      if (servers.length === 0 && (system.length === 0 || direct)) return undefined;
      return match([...system, ...servers]);
    },
  ],
  [
    'dns-privatelink-nxdomain',
    (ctx) => {
      const hit = ctx.withOutcome('dns.server.nxdomain-privatelink');
      const chain = hit[0]?.data.chain;
      const last = Array.isArray(chain) ? String(chain[chain.length - 1]) : '';
      return match([...ctx.withOutcome('dns.system.notfound'), ...hit], { privatelinkName: last });
    },
  ],
  [
    'dns-resolver-failing',
    (ctx) => {
      const hit = ctx.withOutcome(
        'dns.server.timeout',
        'dns.server.servfail',
        'dns.server.refused',
        'dns.server.unreachable',
        'dns.system.timeout',
        'dns.system.tempfail',
      );
      const server = hit.map((e) => text(e.data, 'server')).find(Boolean) ?? '';
      return match(hit, { dnsServer: server });
    },
  ],
  [
    'hosts-file-override',
    (ctx) => {
      const system = ctx.first('dns.system.hosts');
      const consistency = ctx.first('dns.consistency.hosts-differs');
      if (!system || !consistency) return undefined;
      const failures = ctx.withOutcome(...CONNECTION_FAILED, 'tls.name-mismatch', 'tls.untrusted');
      if (failures.length === 0) return undefined;
      const entries = system.data.hostsEntries;
      const line = Array.isArray(entries) && entries[0] && typeof entries[0] === 'object' && !Array.isArray(entries[0]) ? text(entries[0], 'line') : '';
      return match([system, consistency, ...failures], {
        hostsAddress: addressesOf(system.data).join(', '),
        dnsAddress: text(consistency.data, 'dnsAddresses'),
        hostsFile: text(system.data, 'hostsFile'),
        line,
      });
    },
  ],
  [
    'private-address-unreachable',
    (ctx) => {
      const system = ctx.first('dns.system.ok', 'dns.system.hosts');
      const internal = internalAddresses(system);
      if (!system || internal.length === 0) return undefined;
      const failed = ctx.withOutcome('tcp.timeout', 'tcp.unreachable', 'tcp.refused').filter((e) => internal.includes(text(e.data, 'address')));
      if (failed.length === 0 || ctx.first('tcp.ok')) return undefined;
      const privatelink = ctx.ofKind('dns.server').some((e) => e.data.privatelink === true);
      return match([system, ...failed], { address: internal.join(', '), privatelink: privatelink ? 'yes' : 'no' });
    },
  ],
  [
    'proxy-denied',
    (ctx) => {
      const hit = ctx.withOutcome('proxy.denied', 'proxy.auth-required', 'proxy.status', 'v2.transport.proxy-denied', 'v2.transport.proxy-auth-required');
      return match(hit, { statusCode: hit.map((e) => text(e.data, 'statusCode')).find(Boolean) ?? '403' });
    },
  ],
  ['proxy-closed', (ctx) => match(ctx.withOutcome('proxy.eof', 'proxy.timeout', 'v2.transport.proxy-closed'))],
  ['proxy-unreachable', (ctx) => match(ctx.withOutcome('proxy.refused', 'proxy.dns', 'proxy.error'))],
  [
    'tls-intercepted',
    (ctx) => {
      const hit = ctx.withOutcome('tls.untrusted', 'v2.transport.tls-untrusted');
      const tls = hit.find((e) => e.kind === 'tls');
      const certificate = tls?.data.certificate;
      const issuer = certificate && typeof certificate === 'object' && !Array.isArray(certificate) ? text(certificate, 'issuer') : '';
      return match(hit, { issuer });
    },
  ],
  [
    'tls-name-mismatch',
    (ctx) => {
      const hit = ctx.withOutcome('tls.name-mismatch', 'v2.transport.tls-name');
      const certificate = hit.find((e) => e.kind === 'tls')?.data.certificate;
      const names = certificate && typeof certificate === 'object' && !Array.isArray(certificate) && Array.isArray(certificate.names) ? certificate.names.join(', ') : '';
      return match(hit, { names });
    },
  ],
  [
    'connection-blackholed',
    (ctx) => {
      if (ctx.first('tcp.ok') && !ctx.first('tls.timeout', 'v2.transport.timeout')) return undefined;
      return match(ctx.withOutcome('tcp.timeout', 'tls.timeout', 'v2.transport.timeout'));
    },
  ],
  [
    'connection-refused',
    (ctx) => (ctx.first('tcp.ok') ? undefined : match(ctx.withOutcome('tcp.refused', 'v2.transport.refused'))),
  ],
  [
    'connection-unreachable',
    (ctx) => (ctx.first('tcp.ok') ? undefined : match(ctx.withOutcome('tcp.unreachable', 'v2.transport.unreachable'))),
  ],
  [
    'public-access-denied',
    (ctx) => {
      const hit = ctx.withOutcome('v2.denied', 'token.denied', 'exchange.denied');
      const clientIp = hit.map((e) => text(e.data, 'clientIp')).find(Boolean) ?? '';
      const correlationId = hit.map((e) => text(e.data, 'correlationId')).find(Boolean) ?? '';
      return match(hit, { clientIp: clientIp || '<your-public-ip>', correlationId });
    },
  ],
  ['forbidden-by-middlebox', (ctx) => match(ctx.withOutcome('v2.forbidden'))],
  [
    'throttled',
    (ctx) => {
      const hit = ctx.withOutcome('v2.throttled', 'token.throttled', 'exchange.throttled');
      return match(hit, { retryAfter: hit.map((e) => text(e.data, 'retryAfter')).find(Boolean) ?? '' });
    },
  ],
  [
    'exchange-unauthorized',
    (ctx) => {
      const hit = ctx.withOutcome('exchange.unauthorized');
      return match(hit, { principal: hit.map((e) => text(e.data, 'principal')).find(Boolean) ?? '<client-id>' });
    },
  ],
  [
    'data-endpoint-blocked',
    (ctx) => {
      const hit = ctx.withOutcome('data.transport.');
      return match(hit, { dataEndpoint: hit.map((e) => text(e.data, 'host')).join(', ') });
    },
  ],
  [
    'data-endpoint-dns',
    (ctx) => {
      const hit = ctx.withOutcome('data.dns-failed', 'data.dns-timeout');
      return match(hit, { dataEndpoint: hit.map((e) => text(e.data, 'host')).join(', ') });
    },
  ],
  [
    'data-endpoint-denied',
    (ctx) => {
      const hit = ctx.withOutcome('data.denied');
      return match(hit, { clientIp: text(hit[0]?.data ?? {}, 'clientIp'), dataEndpoint: text(hit[0]?.data ?? {}, 'host') });
    },
  ],
  [
    'service-restricted-symptom',
    (ctx) => {
      const fromService = ctx.hasSymptom(...SERVICE_SYMPTOMS) || ctx.input.client.kind === 'azure-service' || ctx.input.client.kind === 'tasks';
      if (!fromService || ctx.anyFailed()) return undefined;
      return { evidence: ctx.withOutcome('v2.challenge', 'token.auth-required').map((e) => e.id), params: {} };
    },
  ],
  [
    'management-symptom',
    (ctx) => (ctx.hasSymptom(...MANAGEMENT_SYMPTOMS) ? { evidence: [], params: {} } : undefined),
  ],
];
