/** Reports built by the real rules and renderers from staged evidence, for front-end tests. */
import { randomUUID } from 'node:crypto';
import type { Evidence } from '../../src/probes/evidence.js';
import { evaluate, verdictOf } from '../../src/rules/evaluate.js';
import { renderCheck, renderFinding } from '../../src/report/render.js';
import { SCHEMA_VERSION, type Lang, type Report } from '../../src/report/types.js';
import { parseRegistryTarget } from '../../src/target/registry-target.js';

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
