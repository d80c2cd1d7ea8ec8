/** Reports built by the real rules and renderers from staged evidence, for front-end tests. */
import { randomUUID } from 'node:crypto';
import type { Evidence } from '../../src/engine/probes/evidence.js';
import { evaluate, verdictOf } from '../../src/engine/rules/evaluate.js';
import { renderCheck, renderFinding } from '../../src/engine/report/render.js';
import { SCHEMA_VERSION, type Lang, type Report } from '../../src/engine/report/types.js';
import { parseRegistryTarget } from '../../src/engine/target/registry-target.js';

const ev = (id: string, outcome: string, status: Evidence['status'], data: Evidence['data'] = {}): Evidence => ({ id, kind: id.split(':')[0]!, outcome, status, data, durationMs: 12 });

export const DENIED_EVIDENCE: Evidence[] = [
  ev('dns.system', 'dns.system.ok', 'pass', { host: 'myregistry.azurecr.io', addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }], source: 'dns' }),
  ev('tcp:20.45.122.144', 'tcp.ok', 'pass', { address: '20.45.122.144', port: 443 }),
  ev('tls', 'tls.ok', 'pass', { servername: 'myregistry.azurecr.io', certificate: { subject: '*.azurecr.io', issuer: 'Microsoft Azure RSA TLS Issuing CA 04', names: ['*.azurecr.io'], validTo: '' } }),
  ev('v2', 'v2.denied', 'fail', { url: 'https://myregistry.azurecr.io/v2/', statusCode: 403, clientIp: '203.0.113.77', message: "client with IP '203.0.113.77' is not allowed access." }),
];

export const HEALTHY_EVIDENCE: Evidence[] = [
  ...DENIED_EVIDENCE.slice(0, 3),
  ev('v2', 'v2.challenge', 'pass', { url: 'https://myregistry.azurecr.io/v2/', statusCode: 401, realm: 'https://myregistry.azurecr.io/oauth2/token', service: 'myregistry.azurecr.io' }),
];

export function sampleReport(evidence: Evidence[], lang: Lang = 'en', symptoms: string[] = []): Report {
  const registry = parseRegistryTarget('myregistry');
  const client = { dnsServers: ['10.0.0.4'], hostname: 'aks-node-1', platform: 'linux/x64' };
  const raw = evaluate({ registry, symptoms, client, evidence, facts: {} });
  return {
    schemaVersion: SCHEMA_VERSION,
    id: randomUUID(),
    tool: { name: 'acr-doctor', version: '0.1.0' },
    lang,
    registry: { name: registry.name, loginServer: registry.loginServer },
    startedAt: new Date(0).toISOString(),
    durationMs: 420,
    budgetMs: 8000,
    symptoms,
    client,
    checks: evidence.map((e) => renderCheck(lang, e)),
    facts: {},
    findings: raw.map((f) => renderFinding(lang, f)),
    verdict: verdictOf(raw, evidence.some((e) => e.status === 'fail')),
  };
}

/**
 * What each kind of check carries when it is planned or skipped (diagnose.ts, arm/read-facts.ts):
 * its title must read well with only this.
 */
export const PLANNED_DATA: Record<string, Evidence['data']> = {
  'dns.system': { host: 'myregistry.azurecr.io' },
  'dns.server': { server: '10.0.0.4', host: 'myregistry.azurecr.io' },
  'dns.consistency': {},
  proxy: { proxy: 'http://proxy.contoso.com:3128' },
  tcp: { address: 'myregistry.azurecr.io' },
  tls: { servername: 'myregistry.azurecr.io' },
  v2: { url: 'https://myregistry.azurecr.io/v2/' },
  token: { url: 'https://myregistry.azurecr.io/oauth2/token' },
  exchange: { url: 'https://myregistry.azurecr.io/oauth2/exchange' },
  data: { host: 'myregistry.westeurope.data.azurecr.io' },
  'arm.registry': {},
  'arm.replications': {},
  'arm.private-endpoints': {},
  'arm.private-dns': {},
  'arm.provider': {},
  'arm.login-events': {},
  'arm.aks': { cluster: 'rg-aks/aks-prod' },
};

const CERTIFICATE = { subject: 'CN=*.azurecr.io', issuer: 'Contoso Inspection CA', names: ['*.azurecr.io'], validTo: '' };
/** What an Azure call records when the network failed it: the endpoint and what happened (azure/endpoint-watch.ts). */
const UNREACHABLE = { service: 'Azure Resource Manager', host: 'management.azure.com', port: 443, seconds: 7.6, code: 'ECONNREFUSED', proxy: 'http://proxy.contoso.com:3128' };
/** What the probes of each kind record once they ran, whatever their outcome (src/engine/probes, src/engine/arm). */
const RECORDED: Record<string, Evidence['data']> = {
  'dns.system': { server: '10.0.0.4', chain: ['myregistry.azurecr.io', 'myregistry.privatelink.azurecr.io'], rcode: 'NOTIMP', source: 'hosts', addresses: [{ address: '10.1.2.4', family: 4, class: 'private' }], hostsFile: '/etc/hosts', hostsEntries: [{ line: 3, address: '10.1.2.4' }] },
  'dns.server': { chain: ['myregistry.azurecr.io', 'myregistry.privatelink.azurecr.io'], addresses: [{ address: '10.1.2.4', family: 4, class: 'private' }], rcode: 'NOTIMP' },
  'dns.consistency': { systemAddresses: '10.1.2.4', dnsAddresses: '20.45.122.144', source: 'hosts' },
  proxy: { target: 'myregistry.azurecr.io:443', statusCode: 403 },
  tcp: { address: '20.45.122.144', class: 'public', port: 443 },
  tls: { certificate: CERTIFICATE, via: 'direct', address: '20.45.122.144' },
  v2: { statusCode: 403, realm: 'https://myregistry.azurecr.io/oauth2/token', service: 'myregistry.azurecr.io', challenge: 'Basic realm="x"', clientIp: '203.0.113.77', message: "client with IP '203.0.113.77' is not allowed access", retryAfter: 30 },
  token: { statusCode: 403, clientIp: '203.0.113.77', message: "client with IP '203.0.113.77' is not allowed access", retryAfter: 30 },
  exchange: { statusCode: 401, message: 'denied', retryAfter: 30, ...UNREACHABLE },
  data: { statusCode: 403, clientIp: '203.0.113.77', message: "client with IP '203.0.113.77' is not allowed access" },
  'arm.registry': { ...UNREACHABLE, resource: '/subscriptions/0000/resourceGroups/rg-other', registry: 'myregistry', id: '/subscriptions/0000/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myregistry', sku: 'Premium', location: 'westeurope', publicNetworkAccess: 'Disabled', subscriptions: 2, statusCode: 403, retryAfter: 30 },
  'arm.replications': { ...UNREACHABLE, resource: '/subscriptions/0000/resourceGroups/rg-other', regions: 'westeurope, northeurope', statusCode: 403, retryAfter: 30 },
  'arm.private-endpoints': { ...UNREACHABLE, resource: '/subscriptions/0000/resourceGroups/rg-other', count: 1, names: 'myregistry-pe', statusCode: 403, retryAfter: 30 },
  'arm.private-dns': { ...UNREACHABLE, resource: '/subscriptions/0000/resourceGroups/rg-other', zones: 'privatelink.azurecr.io', statusCode: 403, retryAfter: 30 },
  'arm.provider': { ...UNREACHABLE, resource: '/subscriptions/0000/resourceGroups/rg-other', subscriptions: '1111: NotRegistered', statusCode: 403, retryAfter: 30 },
  'arm.login-events': { ...UNREACHABLE, resource: '/subscriptions/0000/resourceGroups/rg-other', count: 3, callerIps: '203.0.113.77', statusCode: 403, retryAfter: 30 },
  'arm.aks': { ...UNREACHABLE, resource: '/subscriptions/0000/resourceGroups/rg-other', cluster: 'aks-prod', outboundType: 'loadBalancer', egressIps: '20.1.2.3', pullRoles: 'AcrPull', networks: 'aks-vnet', dnsServers: 'Azure', unread: '-', statusCode: 403, retryAfter: 30 },
};

/** The kind of check an outcome belongs to: its prefix, or for shared outcomes (skips, ARM errors) a check that records it. */
function kindOf(outcome: string): string {
  const kinds = Object.keys(PLANNED_DATA).sort((a, b) => b.length - a.length);
  const own = kinds.find((k) => outcome.startsWith(`${k}.`));
  if (own) return own;
  if (outcome.startsWith('transport.')) return 'v2';
  if (outcome.startsWith('arm.')) return 'arm.registry';
  const SKIPPED: Record<string, string> = { 'skip.no-dns-server': 'dns.server', 'skip.no-credentials': 'exchange', 'skip.dns-failed': 'tcp', 'skip.no-workspace': 'arm.login-events' };
  if (SKIPPED[outcome]) return SKIPPED[outcome];
  if (outcome.startsWith('skip.arm') || outcome.startsWith('skip.no-private') || outcome.startsWith('skip.same')) return 'arm.private-dns';
  return outcome.startsWith('skip.') ? 'tls' : 'tcp';
}

const STATUS_OF = (outcome: string): Evidence['status'] => (/\.(ok|same|reachable|challenge|anonymous|auth-required|none|hosts)$/.test(outcome) ? 'pass' : outcome.startsWith('skip.') ? 'skip' : 'fail');

/** One piece of evidence per outcome, with the data its probe records: every text a check can show. */
export function everyOutcome(outcomes: string[]): Evidence[] {
  return outcomes.map((outcome, i) => {
    const kind = kindOf(outcome);
    const code = outcome.startsWith('transport.') ? `v2.${outcome}` : outcome;
    const failed = STATUS_OF(outcome) === 'fail' || outcome.startsWith('arm.');
    return {
      id: `${kind}:${i}`,
      kind,
      outcome: code,
      status: STATUS_OF(outcome),
      data: { ...PLANNED_DATA[kind], ...(outcome.startsWith('skip.') ? {} : RECORDED[kind]) },
      durationMs: 5,
      ...(failed ? { error: { code: 'ECONNRESET', message: 'socket hang up' } } : {}),
    };
  });
}

/**
 * Evidence whose outside values hold `text`: a CNAME in the DNS chain, a certificate's issuer and
 * names, ACR's DENIED message, a network error. Probes record them as they came.
 */
export function evidenceHolding(text: string): Evidence[] {
  return [
    ev('dns.system', 'dns.system.ok', 'pass', { host: 'myregistry.azurecr.io', addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }], source: 'dns' }),
    ev('dns.server:10.0.0.4', 'dns.server.nxdomain-privatelink', 'fail', { server: '10.0.0.4', host: 'myregistry.azurecr.io', chain: ['myregistry.azurecr.io', 'myregistry.privatelink.azurecr.io', text], rcode: 'NXDOMAIN' }),
    { ...ev('tcp:20.45.122.144', 'tcp.error', 'fail', { address: '20.45.122.144', port: 443 }), error: { code: 'EPROTO', message: text } },
    ev('tls', 'tls.untrusted', 'fail', { servername: 'myregistry.azurecr.io', certificate: { subject: text, issuer: text, names: [text], validTo: '' } }),
    ev('v2', 'v2.denied', 'fail', { url: 'https://myregistry.azurecr.io/v2/', statusCode: 403, clientIp: '203.0.113.77', message: text }),
  ];
}
