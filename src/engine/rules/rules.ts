/**
 * The rules that need real logic: one small predicate per rule id of knowledge.json. A rule that only
 * says "some evidence has an outcome in this set (unless another is there)" is a row of knowledge.json
 * (`when`) and has no code. A rule reads evidence and facts and says which evidence it rests on and
 * what to fill into its texts.
 */
import { addressesOf } from '../probes/dns.js';
import type { Evidence } from '../probes/evidence.js';
import { isInternal, classifyAddress } from '../probes/address.js';
import type { Confidence, JsonObject } from '../report/types.js';
import { parseDnsServer } from '../probes/dns-wire.js';
import { recordName, RuleContext, text } from './context.js';
import { knowledge } from '../knowledge/knowledge.js';

export interface Match {
  evidence: string[];
  params: Record<string, string>;
  /** Less sure than the rule usually is, when other evidence weakens it. */
  confidence?: Confidence;
  /** The rule's fixes in the order this case needs them (a subset of knowledge.json's), when that order differs. */
  fixes?: string[];
  /** Which of the rule's worded cases this is (one of its `variants` in knowledge.json), when not its main one. */
  variant?: string;
}

export type Predicate = (ctx: RuleContext) => Match | undefined;

const ids = (list: Evidence[]): string[] => list.map((e) => e.id);
export const match = (list: Evidence[], params: Record<string, string> = {}): Match | undefined =>
  list.length > 0 ? { evidence: ids(list), params } : undefined;

const CONNECTION_FAILED = ['tcp.timeout', 'tcp.unreachable', 'tcp.refused', 'tls.timeout', 'v2.transport.'];

/** A DNS finding names the server that failed, the chain it gave and how long it was waited for. */
function resolverMatch(ctx: RuleContext, hit: Evidence[]): Match | undefined {
  const named = hit.find((e) => text(e.data, 'server'));
  const chain = hit.map((e) => e.data.chain).find(Array.isArray);
  const server = named ? parseDnsServer(text(named.data, 'server')) : undefined;
  return dnsMatch(ctx, hit, {
    dnsServer: named ? text(named.data, 'server') : '',
    dnsHost: server?.host ?? '',
    dnsPort: server ? String(server.port) : '',
    chain: chain ? chain.map(String).join(' → ') : '',
    seconds: seconds(Math.max(0, ...hit.map((e) => e.durationMs))),
  });
}

/**
 * A DNS server's failure is the cause only when the system resolver failed too; where the system
 * resolved the name (another server, the hosts file), it is a side note on that server.
 */
function dnsMatch(ctx: RuleContext, hit: Evidence[], params: Record<string, string> = {}): Match | undefined {
  const found = match(hit, params);
  // Behind a proxy the client needs no DNS of its own: once the registry answered, local DNS is a side note.
  if (!found || (!ctx.first('dns.system.ok', 'dns.system.hosts') && !ctx.registryAnswered())) return found;
  return { ...found, confidence: 'low' };
}

export function seconds(ms: number): string {
  return (Math.round(ms / 100) / 10).toString();
}

function fromService(ctx: RuleContext): boolean {
  // AKS pulls with its kubelet identity from its nodes' addresses: trusted services do nothing for it.
  if (ctx.input.client.kind === 'aks') return false;
  return ctx.hasSymptom(...knowledge.symptomGroups.service) || ctx.input.client.kind === 'azure-service' || ctx.input.client.kind === 'tasks';
}

function trustedServicesAllowed(ctx: RuleContext): boolean {
  return ctx.input.facts.bypass?.toLowerCase() === 'azureservices';
}

/** A proxy's 5xx to CONNECT: it could not reach the host itself (its DNS, its own firewall, the upstream). */
function upstreamFailure(e: Evidence): boolean {
  return Number(text(e.data, 'statusCode')) >= 500;
}

/**
 * A proxy finding about the host the proxy refused: the login server, or, when only data endpoints
 * were refused (the login server's tunnel opened), those data endpoints.
 */
function proxyMatch(ctx: RuleContext, hit: Evidence[]): Match | undefined {
  const dataOnly = hit.length > 0 && hit.every((e) => e.kind === 'data');
  const dataHosts = [...new Set(hit.map((e) => text(e.data, 'host')))];
  return match(hit, {
    statusCode: hit.map((e) => text(e.data, 'statusCode')).find(Boolean) ?? '',
    ...(dataOnly ? { proxyTarget: dataHosts.join(', '), proxyTargetUrl: `https://${dataHosts[0]}/` } : {}),
  });
}

/** Kinds of check whose requests go through the proxy when one is set. */
const PROBED_THROUGH_PROXY = ['v2', 'token', 'exchange', 'data'];

function internalOf(data: JsonObject): string[] {
  return addressesOf(data).filter((a) => isInternal(classifyAddress(a)));
}

const SILENT = ['tcp.timeout', 'tcp.unreachable', 'data.transport.timeout', 'data.transport.unreachable'];
const ANSWERED = ['tcp.ok', 'data.reachable', 'data.denied', 'data.transport.tls-name', 'data.transport.tls-untrusted', 'data.transport.reset'];

/**
 * The registry's private addresses (the login server's and each data endpoint's) split by what
 * they did: silent (dropped, no route) or answering (a TCP handshake, an HTTP answer).
 */
function privatePaths(ctx: RuleContext): { silent: Evidence[]; answering: Evidence[] } {
  const isPrivate = (e: Evidence): boolean => (e.kind === 'tcp' ? isInternal(classifyAddress(text(e.data, 'address'))) : e.kind === 'data' && internalOf(e.data).length > 0);
  return {
    silent: ctx.withOutcome(...SILENT).filter(isPrivate),
    answering: ctx.withOutcome(...ANSWERED).filter(isPrivate),
  };
}

/** The private endpoint's own addresses for a name, where ARM read them. */
function endpointAddresses(ctx: RuleContext, fqdn: string): string | undefined {
  const found = (ctx.input.facts.privateEndpoints ?? []).flatMap((pe) => pe.dns).find((d) => d.fqdn.toLowerCase() === fqdn.toLowerCase());
  return found?.addresses.join(', ');
}


export const RULES: ReadonlyArray<[id: string, predicate: Predicate]> = [
  // Only an answer names a missing name: a resolver that failed says nothing about the registry.
  // A registry that answered exists, whatever a resolver says of its name.
  ['dns-nxdomain', (ctx) => (ctx.registryAnswered() ? undefined : dnsMatch(ctx, ctx.withOutcome('dns.system.nxdomain', 'dns.server.nxdomain')))],
  [
    'dns-privatelink-nxdomain',
    (ctx) => {
      const hit = ctx.withOutcome('dns.system.nxdomain-privatelink', 'dns.server.nxdomain-privatelink');
      const chain = hit[0]?.data.chain;
      const last = Array.isArray(chain) ? String(chain[chain.length - 1]) : '';
      return dnsMatch(ctx, hit, { privatelinkName: last });
    },
  ],
  ['dns-cname-loop', (ctx) => resolverMatch(ctx, ctx.withOutcome('dns.system.loop', 'dns.server.loop', 'dns.system.chain-too-long', 'dns.server.chain-too-long'))],
  ['dns-resolver-refused', (ctx) => resolverMatch(ctx, ctx.withOutcome('dns.system.unreachable', 'dns.server.unreachable', 'dns.system.refused', 'dns.server.refused'))],
  ['dns-resolver-no-route', (ctx) => resolverMatch(ctx, ctx.withOutcome('dns.system.no-route', 'dns.server.no-route'))],
  ['dns-resolver-servfail', (ctx) => resolverMatch(ctx, ctx.withOutcome('dns.system.servfail', 'dns.server.servfail'))],
  ['dns-resolver-silent', (ctx) => resolverMatch(ctx, ctx.withOutcome('dns.system.timeout', 'dns.system.lookup-timeout', 'dns.server.timeout'))],
  ['dns-resolver-slow', (ctx) => resolverMatch(ctx, ctx.withOutcome('dns.system.slow'))],
  ['dns-no-address', (ctx) => resolverMatch(ctx, ctx.withOutcome('dns.system.nodata', 'dns.server.nodata'))],
  [
    'dns-resolver-failing',
    (ctx) => resolverMatch(ctx, ctx.withOutcome('dns.system.tempfail', 'dns.system.notfound', 'dns.system.unresolved', 'dns.system.error', 'dns.system.rcode', 'dns.server.error', 'dns.server.rcode')),
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
    'private-record-stale',
    (ctx) => {
      // One private name silent while another private address of the same registry answers: the
      // route to the endpoint works, so the silent name's record points where no NIC is.
      const { silent, answering } = privatePaths(ctx);
      const stale = silent[0];
      if (!stale || answering.length === 0) return undefined;
      const staleHost = stale.kind === 'data' ? text(stale.data, 'host') : ctx.registry.loginServer;
      const staleAddress = stale.kind === 'data' ? internalOf(stale.data).join(', ') : text(stale.data, 'address');
      const working = answering[0]!;
      const workingAddress = working.kind === 'data' ? internalOf(working.data).join(', ') : text(working.data, 'address');
      const expected = endpointAddresses(ctx, staleHost);
      // ARM says the silent address is the endpoint's own: the record is right, the route is not.
      if (expected?.split(', ').includes(staleAddress)) return undefined;
      return match([...silent, ...answering], {
        staleHost,
        fqdn: staleHost,
        actualAddress: staleAddress,
        workingAddress,
        recordName: recordName(staleHost, ctx.registry.suffix),
        ...(expected ? { expectedAddress: expected } : {}),
      });
    },
  ],
  [
    'private-address-unreachable',
    (ctx) => {
      const { silent, answering } = privatePaths(ctx);
      const addressOf = (e: Evidence): string[] => (e.kind === 'data' ? internalOf(e.data) : [text(e.data, 'address')]);
      // Where ARM confirms every silent address is its endpoint's own, a stale record is ruled out even when others answer.
      const confirmed = silent.length > 0 && silent.every((e) => addressOf(e).every((a) => endpointAddresses(ctx, e.kind === 'data' ? text(e.data, 'host') : ctx.registry.loginServer)?.split(', ').includes(a)));
      if (silent.length === 0 || (!confirmed && (answering.length > 0 || ctx.first('tcp.ok')))) return undefined;
      const addresses = [...new Set(silent.flatMap(addressOf))];
      const system = ctx.first('dns.system.ok', 'dns.system.hosts');
      const privatelink = ctx.ofKind('dns.server').some((e) => e.data.privatelink === true);
      return match([...(system ? [system] : []), ...silent], { address: addresses.join(', '), privatelink: privatelink ? 'yes' : 'no' });
    },
  ],
  [
    'proxy-upstream-failed',
    (ctx) => proxyMatch(ctx, ctx.withOutcome('proxy.status', ...PROBED_THROUGH_PROXY.map((kind) => `${kind}.transport.proxy-status`)).filter(upstreamFailure)),
  ],
  [
    'proxy-denied',
    (ctx) => {
      const hit = ctx.withOutcome('proxy.denied', 'proxy.status', ...PROBED_THROUGH_PROXY.flatMap((kind) => [`${kind}.transport.proxy-denied`, `${kind}.transport.proxy-status`]));
      return proxyMatch(ctx, hit.filter((e) => !upstreamFailure(e)));
    },
  ],
  ['proxy-closed', (ctx) => proxyMatch(ctx, ctx.withOutcome('proxy.eof', ...PROBED_THROUGH_PROXY.map((kind) => `${kind}.transport.proxy-closed`)))],
  ['proxy-silent', (ctx) => proxyMatch(ctx, ctx.withOutcome('proxy.timeout'))],
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
    'request-stalled',
    (ctx) => {
      // TLS completed on its own connection, so packets flow: what never came is the HTTP answer.
      const tls = ctx.first('tls.ok');
      const stalled = ctx.withOutcome('v2.transport.timeout', 'token.transport.timeout');
      if (!tls || stalled.length === 0) return undefined;
      return match([tls, ...stalled], { seconds: seconds(Math.max(...stalled.map((e) => e.durationMs))), via: text(tls.data, 'via') === 'proxy' ? text(tls.data, 'proxy') : text(tls.data, 'address') });
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
    'some-addresses-fail',
    (ctx) => {
      // One address answers, so clients that try the next (most do) get through: worth knowing, rarely the cause.
      if (!ctx.first('tcp.ok')) return undefined;
      const failed = ctx.withOutcome('tcp.timeout', 'tcp.unreachable', 'tcp.refused');
      return match(failed, { address: failed.map((e) => text(e.data, 'address')).join(', '), workingAddress: ctx.withOutcome('tcp.ok').map((e) => text(e.data, 'address')).join(', ') });
    },
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
      const hit = ctx.withOutcome('data.transport.').filter((e) => internalOf(e.data).length === 0);
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
    'service-trusted-already',
    (ctx) => {
      // ARM shows trusted services allowed: saying "allow them" would contradict it; what is left is a service not on the list.
      if (!fromService(ctx) || ctx.anyFailed() || !trustedServicesAllowed(ctx)) return undefined;
      return { evidence: [...ctx.withOutcome('v2.challenge', 'token.auth-required').map((e) => e.id), 'arm.registry'], params: {} };
    },
  ],
  [
    'service-restricted-symptom',
    (ctx) => {
      if (!fromService(ctx) || ctx.anyFailed() || trustedServicesAllowed(ctx)) return undefined;
      return { evidence: ctx.withOutcome('v2.challenge', 'token.auth-required').map((e) => e.id), params: {} };
    },
  ],
  [
    'management-symptom',
    (ctx) => (ctx.hasSymptom(...knowledge.symptomGroups.management) ? { evidence: [], params: {} } : undefined),
  ],
];
