import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Evidence } from '../../src/engine/probes/evidence.js';
import { evaluate, readyToPaste, verdictOf } from '../../src/engine/rules/evaluate.js';
import { renderFinding } from '../../src/engine/report/render.js';
import type { CheckStatus, JsonObject } from '../../src/engine/report/types.js';
import { parseRegistryTarget } from '../../src/engine/target/registry-target.js';

const registry = parseRegistryTarget('myregistry');
const client = { dnsServers: ['10.0.0.4'], platform: 'linux/x64' };

function ev(id: string, outcome: string, data: JsonObject = {}, status?: CheckStatus): Evidence {
  const kind = id.split(':')[0]!;
  const passing = /\.(ok|same|challenge|auth-required|anonymous|reachable|hosts)$/.test(outcome);
  return { id, kind, outcome, data, durationMs: 1, status: status ?? (passing ? 'pass' : outcome.startsWith('skip.') ? 'skip' : 'fail') };
}

const publicDns = [
  ev('dns.system', 'dns.system.ok', { addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }], source: 'dns' }),
  ev('dns.server:10.0.0.4', 'dns.server.ok', { server: '10.0.0.4', addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }], privatelink: true }),
];
const healthyPath = [...publicDns, ev('tcp:20.45.122.144', 'tcp.ok', { address: '20.45.122.144' }), ev('tls', 'tls.ok')];

interface Row {
  name: string;
  evidence: Evidence[];
  symptoms?: string[];
  rule: string;
  cause: string;
  params?: Record<string, string>;
}

/** The knowledge table, as the rules read it: what was seen → the cause named first. */
const TABLE: Row[] = [
  {
    name: 'NXDOMAIN from DNS',
    evidence: [ev('dns.system', 'dns.system.notfound'), ev('dns.server:10.0.0.4', 'dns.server.nxdomain', { chain: ['myregistry.azurecr.io'] })],
    rule: 'dns-nxdomain',
    cause: 'registry-not-found',
  },
  {
    name: 'NXDOMAIN after the privatelink alias',
    evidence: [
      ev('dns.system', 'dns.system.notfound'),
      ev('dns.server:10.0.0.4', 'dns.server.nxdomain-privatelink', { chain: ['myregistry.azurecr.io', 'myregistry.privatelink.azurecr.io'] }),
    ],
    rule: 'dns-privatelink-nxdomain',
    cause: 'vnet-or-private-endpoint',
    params: { privatelinkName: 'myregistry.privatelink.azurecr.io' },
  },
  {
    name: 'resolver times out',
    evidence: [ev('dns.system', 'dns.system.timeout', { server: '10.0.0.4' }), ev('dns.server:10.0.0.4', 'dns.server.timeout', { server: '10.0.0.4' })],
    rule: 'dns-resolver-silent',
    cause: 'vnet-or-private-endpoint',
    params: { dnsServer: '10.0.0.4' },
  },
  {
    name: 'the system resolver fails and nothing answered NXDOMAIN: not a missing registry',
    evidence: [ev('dns.system', 'dns.system.tempfail'), ev('dns.server:10.0.0.4', 'dns.server.ok', { server: '10.0.0.4', addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }] })],
    rule: 'dns-resolver-failing',
    cause: 'vnet-or-private-endpoint',
  },
  {
    name: 'lossy link: the system resolver gave up, a direct query sent again got the answer',
    evidence: [ev('dns.system', 'dns.system.slow', { server: '10.0.0.4', addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }] }), ev('dns.server:10.0.0.4', 'dns.server.ok', { server: '10.0.0.4', addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }] })],
    rule: 'dns-resolver-slow',
    cause: 'vnet-or-private-endpoint',
    params: { dnsServer: '10.0.0.4' },
  },
  {
    name: 'resolver port closed (ICMP port unreachable)',
    evidence: [ev('dns.system', 'dns.system.unreachable', { server: '10.53.0.9' }), ev('dns.server:8.8.8.8', 'dns.server.ok', { server: '8.8.8.8', addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }] })],
    rule: 'dns-resolver-refused',
    cause: 'vnet-or-private-endpoint',
    params: { dnsServer: '10.53.0.9' },
  },
  {
    name: 'resolver answers REFUSED',
    evidence: [ev('dns.system', 'dns.system.refused', { server: '10.0.0.4' }), ev('dns.server:10.0.0.4', 'dns.server.refused', { server: '10.0.0.4' })],
    rule: 'dns-resolver-refused',
    cause: 'vnet-or-private-endpoint',
    params: { dnsServer: '10.0.0.4' },
  },
  {
    name: 'resolver answers SERVFAIL',
    evidence: [ev('dns.system', 'dns.system.servfail', { server: '10.0.0.4' }), ev('dns.server:10.0.0.4', 'dns.server.servfail', { server: '10.0.0.4' })],
    rule: 'dns-resolver-servfail',
    cause: 'vnet-or-private-endpoint',
    params: { dnsServer: '10.0.0.4' },
  },
  {
    name: 'CNAME loop',
    evidence: [ev('dns.system', 'dns.system.loop', { server: '10.0.0.4', chain: ['myregistry.azurecr.io', 'a.example', 'myregistry.azurecr.io'] })],
    rule: 'dns-cname-loop',
    cause: 'vnet-or-private-endpoint',
    params: { chain: 'myregistry.azurecr.io → a.example → myregistry.azurecr.io' },
  },
  {
    name: 'stale private record: the login server dropped, the data endpoint answers privately',
    evidence: [
      ev('dns.system', 'dns.system.ok', { addresses: [{ address: '10.1.0.9', family: 4, class: 'private' }] }),
      ev('tcp:10.1.0.9', 'tcp.timeout', { address: '10.1.0.9' }),
      ev('v2', 'v2.transport.timeout'),
      ev('data:myregistry.eastus.data.azurecr.io', 'data.reachable', { host: 'myregistry.eastus.data.azurecr.io', addresses: [{ address: '10.1.0.5', family: 4, class: 'private' }] }),
    ],
    rule: 'private-record-stale',
    cause: 'vnet-or-private-endpoint',
    params: { staleHost: 'myregistry.azurecr.io', actualAddress: '10.1.0.9', workingAddress: '10.1.0.5', recordName: 'myregistry' },
  },
  {
    name: 'stale private record: a data endpoint dropped, the login server answers privately',
    evidence: [
      ev('dns.system', 'dns.system.ok', { addresses: [{ address: '10.1.0.5', family: 4, class: 'private' }] }),
      ev('tcp:10.1.0.5', 'tcp.ok', { address: '10.1.0.5' }),
      ev('tls', 'tls.ok'),
      ev('v2', 'v2.challenge'),
      ev('data:myregistry.eastus.data.azurecr.io', 'data.transport.timeout', { host: 'myregistry.eastus.data.azurecr.io', addresses: [{ address: '10.1.0.9', family: 4, class: 'private' }] }),
    ],
    rule: 'private-record-stale',
    cause: 'vnet-or-private-endpoint',
    params: { staleHost: 'myregistry.eastus.data.azurecr.io', recordName: 'myregistry.eastus.data', actualAddress: '10.1.0.9' },
  },
  {
    name: 'proxy wants credentials (407)',
    evidence: [...publicDns, ev('proxy', 'proxy.auth-required', { statusCode: 407 }), ev('v2', 'v2.transport.proxy-auth-required', { statusCode: 407 }), ev('token', 'token.transport.proxy-auth-required', { statusCode: 407 })],
    rule: 'proxy-auth-required',
    cause: 'client-firewall-or-proxy',
  },
  {
    name: 'the proxy refuses only a data endpoint: the finding names the data endpoint, not the login server whose tunnel opened',
    evidence: [...publicDns, ev('proxy', 'proxy.ok'), ev('tls', 'tls.ok', { via: 'proxy' }), ev('v2', 'v2.challenge'), ev('data:myregistry.eastus.data.azurecr.io', 'data.transport.proxy-denied', { host: 'myregistry.eastus.data.azurecr.io', statusCode: 403 })],
    rule: 'proxy-denied',
    cause: 'client-firewall-or-proxy',
    params: { proxyTarget: 'myregistry.eastus.data.azurecr.io', proxyTargetUrl: 'https://myregistry.eastus.data.azurecr.io/' },
  },
  { name: 'the proxy answers 502 to CONNECT: it cannot reach the registry itself', evidence: [...publicDns, ev('proxy', 'proxy.status', { statusCode: 502 })], rule: 'proxy-upstream-failed', cause: 'client-firewall-or-proxy', params: { statusCode: '502' } },
  { name: 'the proxy never answers: silent, not closed', evidence: [...publicDns, ev('proxy', 'proxy.timeout')], rule: 'proxy-silent', cause: 'client-firewall-or-proxy' },
  {
    name: 'TLS opens, the request is never answered',
    evidence: [...publicDns, ev('tcp:20.45.122.144', 'tcp.ok', { address: '20.45.122.144' }), ev('tls', 'tls.ok', { via: 'direct', address: '20.45.122.144' }), { ...ev('v2', 'v2.transport.timeout'), durationMs: 7600 }],
    rule: 'request-stalled',
    cause: 'client-firewall-or-proxy',
    params: { seconds: '7.6', via: '20.45.122.144' },
  },
  {
    name: 'private endpoint address without a route',
    evidence: [
      ev('dns.system', 'dns.system.ok', { addresses: [{ address: '10.0.0.7', family: 4, class: 'private' }] }),
      ev('dns.server:10.0.0.4', 'dns.server.ok', { privatelink: true, addresses: [{ address: '10.0.0.7', family: 4, class: 'private' }] }),
      ev('tcp:10.0.0.7', 'tcp.timeout', { address: '10.0.0.7' }),
      ev('v2', 'v2.transport.timeout'),
    ],
    rule: 'private-address-unreachable',
    cause: 'vnet-or-private-endpoint',
    params: { address: '10.0.0.7', privatelink: 'yes' },
  },
  { name: 'proxy refuses CONNECT', evidence: [...publicDns, ev('proxy', 'proxy.denied', { statusCode: 403 })], rule: 'proxy-denied', cause: 'client-firewall-or-proxy', params: { statusCode: '403' } },
  { name: 'proxy EOF', evidence: [...publicDns, ev('proxy', 'proxy.eof'), ev('v2', 'v2.transport.proxy-closed')], rule: 'proxy-closed', cause: 'client-firewall-or-proxy' },
  {
    name: 'TLS inspected',
    evidence: [...publicDns, ev('proxy', 'proxy.ok'), ev('tls', 'tls.untrusted', { certificate: { issuer: 'Contoso CA', names: [] } }), ev('v2', 'v2.transport.tls-untrusted')],
    rule: 'tls-intercepted',
    cause: 'client-firewall-or-proxy',
    params: { issuer: 'Contoso CA' },
  },
  { name: 'black hole', evidence: [...publicDns, ev('tcp:20.45.122.144', 'tcp.ok'), ev('tls', 'tls.timeout'), ev('v2', 'v2.transport.timeout')], rule: 'connection-blackholed', cause: 'client-firewall-or-proxy' },
  { name: 'refused', evidence: [...publicDns, ev('tcp:20.45.122.144', 'tcp.refused'), ev('v2', 'v2.transport.refused')], rule: 'connection-refused', cause: 'client-firewall-or-proxy' },
  {
    name: 'DENIED with the client IP',
    evidence: [...healthyPath, ev('v2', 'v2.denied', { clientIp: '198.51.100.4', correlationId: 'abc' }), ev('token', 'token.denied', { clientIp: '198.51.100.4' })],
    rule: 'public-access-denied',
    cause: 'public-network-rules',
    params: { clientIp: '198.51.100.4' },
  },
  { name: '403 from something else', evidence: [...healthyPath, ev('v2', 'v2.forbidden')], rule: 'forbidden-by-middlebox', cause: 'client-firewall-or-proxy' },
  {
    name: 'throttled token endpoint',
    evidence: [...healthyPath, ev('v2', 'v2.challenge'), ev('token', 'token.throttled', { retryAfter: 17 })],
    rule: 'throttled',
    cause: 'throttled',
    params: { retryAfter: '17' },
  },
  {
    name: 'blocked data endpoint',
    evidence: [...healthyPath, ev('v2', 'v2.challenge'), ev('data:myregistry.eastus.data.azurecr.io', 'data.transport.timeout', { host: 'myregistry.eastus.data.azurecr.io' })],
    rule: 'data-endpoint-blocked',
    cause: 'client-firewall-or-proxy',
    params: { dataEndpoint: 'myregistry.eastus.data.azurecr.io' },
  },
  {
    name: 'AKS reports it cannot pull, the registry answers from here',
    evidence: [...healthyPath, ev('v2', 'v2.challenge'), ev('token', 'token.auth-required')],
    symptoms: ['azure-service-cannot-pull'],
    rule: 'service-restricted-symptom',
    cause: 'service-access-restricted',
  },
  {
    name: 'one of two addresses drops connections, the other answers',
    evidence: [...publicDns, ev('tcp:2603:1020::1', 'tcp.unreachable', { address: '2603:1020::1' }), ev('tcp:20.45.122.144', 'tcp.ok', { address: '20.45.122.144' }), ev('tls', 'tls.ok'), ev('v2', 'v2.challenge')],
    rule: 'some-addresses-fail',
    cause: 'client-firewall-or-proxy',
    params: { address: '2603:1020::1', workingAddress: '20.45.122.144' },
  },
  { name: 'something fails that no rule knows', evidence: [...healthyPath, ev('v2', 'v2.unexpected', { statusCode: 502 })], rule: 'unknown', cause: 'unknown' },
];

describe('rules', function () {
  for (const row of TABLE) {
    it(`${row.name} → ${row.cause}`, function () {
      const findings = evaluate({ registry, symptoms: row.symptoms ?? [], client, evidence: row.evidence, facts: {} });
      assert.equal(findings[0]?.rule, row.rule, JSON.stringify(findings.map((f) => f.rule)));
      assert.equal(findings[0]?.cause, row.cause);
      for (const [key, value] of Object.entries(row.params ?? {})) assert.equal(findings[0]?.params[key], value, key);
      assert.ok(findings[0]!.evidence.every((id) => row.evidence.some((e) => e.id === id)), 'a finding cites only evidence that exists');
    });
  }

  it('a proxy with credentials: the command carries placeholders for them, never REDACTED', function () {
    const row = TABLE.find((r) => r.rule === 'proxy-auth-required')!;
    const [top] = evaluate({ registry, symptoms: [], client: { ...client, proxy: 'http://REDACTED@10.3.128.1:3128' }, evidence: row.evidence, facts: {} });
    const commands = renderFinding('en', top!).fixes.flatMap((f) => f.commands);
    assert.ok(commands.some((c) => c.includes('http://<user>:<password>@10.3.128.1:3128')), commands.join('\n'));
    assert.ok(commands.every((c) => !c.includes('REDACTED')));
  });

  it('fills in the client IP that ACR named in every finding, and the private zone ARM read', function () {
    const evidence = [...healthyPath, ev('v2', 'v2.challenge'), ev('data:myregistry.eastus.data.azurecr.io', 'data.denied', { host: 'myregistry.eastus.data.azurecr.io', clientIp: '198.51.100.4' })];
    const zone = { id: '/subscriptions/s/resourceGroups/dns-rg/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io', name: 'privatelink.azurecr.io', records: {}, vnetLinks: [] };
    const findings = evaluate({ registry, symptoms: [], client, evidence, facts: { privateDnsZones: [zone] } });
    for (const f of findings) assert.equal(f.params.clientIp, '198.51.100.4', f.rule);
    assert.equal(findings[0]!.params.zoneResourceGroup, 'dns-rg');
  });

  it('a stale private record, with what ARM read: the zone, its resource group and the endpoint address filled in', function () {
    const row = TABLE.find((r) => r.name.startsWith('stale private record: the login server'))!;
    const facts = {
      privateEndpoints: [{ id: '/subscriptions/s/resourceGroups/net-rg/providers/Microsoft.Network/privateEndpoints/pe1', name: 'pe1', dns: [{ fqdn: 'myregistry.azurecr.io', addresses: ['10.1.0.4'] }], zoneIds: [] }],
      privateDnsZones: [{ id: '/subscriptions/s/resourceGroups/dns-rg/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io', name: 'privatelink.azurecr.io', records: { myregistry: ['10.1.0.9'] }, vnetLinks: [] }],
    };
    const [top] = evaluate({ registry, symptoms: [], client, evidence: row.evidence, facts });
    const commands = renderFinding('en', top!).fixes.flatMap((f) => f.commands).join('\n');
    assert.equal(top!.cause, 'vnet-or-private-endpoint');
    assert.match(commands, /--resource-group dns-rg --zone-name privatelink\.azurecr\.io/);
    assert.match(commands, /--ipv4-address 10\.1\.0\.9/);
    assert.match(commands, /--ipv4-address 10\.1\.0\.4/);
    assert.doesNotMatch(commands, /<zone-resource-group>|<private-endpoint-ip>|<wrong-ip>/);
  });

  it('of findings equally sure, the one with a command ready to paste comes first', function () {
    // Both high: a data endpoint without a record (command complete) and DENIED without an IP (its command needs <client-ip>).
    const evidence = [...healthyPath, ev('v2', 'v2.challenge'), ev('token', 'token.denied', {}), ev('data:myregistry.eastus.data.azurecr.io', 'data.dns-failed', { host: 'myregistry.eastus.data.azurecr.io' })];
    const findings = evaluate({ registry, symptoms: [], client, evidence, facts: {} });
    assert.deepEqual(findings.map((f) => f.rule).slice(0, 2), ['data-endpoint-dns', 'public-access-denied']);
    assert.ok(readyToPaste(findings[0]!));
    assert.ok(!readyToPaste(findings[1]!));
  });

  it('offers no fix the facts contradict: no "allow trusted services" when the bypass already allows them', function () {
    const evidence = [...healthyPath, ev('v2', 'v2.challenge'), ev('token', 'token.auth-required')];
    const allowed = evaluate({ registry, symptoms: ['defender-cannot-scan'], client, evidence, facts: { bypass: 'AzureServices' } });
    assert.ok(allowed.every((f) => !f.fixes.includes('trusted-services')), JSON.stringify(allowed));
    assert.deepEqual(allowed.map((f) => f.rule), ['service-trusted-already']);
    const denied = evaluate({ registry, symptoms: ['defender-cannot-scan'], client, evidence, facts: { bypass: 'None' } });
    assert.ok(denied.some((f) => f.fixes.includes('trusted-services')));
  });

  it('a DNS server that fails while the system resolver resolves the name is a side note, not the cause', function () {
    const evidence = [...healthyPath.filter((e) => e.kind !== 'dns.server'), ev('dns.server:10.0.0.9', 'dns.server.unreachable', { server: '10.0.0.9' }), ev('v2', 'v2.challenge'), ev('token', 'token.auth-required')];
    const findings = evaluate({ registry, symptoms: [], client, evidence, facts: {} });
    assert.deepEqual(findings.map((f) => [f.rule, f.confidence]), [['dns-resolver-refused', 'low']]);
  });

  it('behind a proxy, a local resolver that says NXDOMAIN does not make a registry that answered "not exist"', function () {
    const evidence = [ev('dns.system', 'dns.system.nxdomain', { server: '10.0.0.4' }), ev('proxy', 'proxy.ok'), ev('tls', 'tls.ok', { via: 'proxy' }), ev('v2', 'v2.challenge'), ev('token', 'token.auth-required')];
    const findings = evaluate({ registry, symptoms: [], client: { ...client, proxy: 'http://10.3.128.1:3128' }, evidence, facts: {} });
    assert.ok(findings.every((f) => f.cause !== 'registry-not-found'), JSON.stringify(findings.map((f) => f.rule)));
    assert.ok(findings.every((f) => f.confidence === 'low'));
  });

  it('a silent private address that ARM confirms is the endpoint\'s own is a route problem, not a stale record', function () {
    const row = TABLE.find((r) => r.name.startsWith('stale private record: the login server'))!;
    const facts = { privateEndpoints: [{ id: 'pe', name: 'pe', dns: [{ fqdn: 'myregistry.azurecr.io', addresses: ['10.1.0.9'] }], zoneIds: [] }] };
    const [top] = evaluate({ registry, symptoms: [], client, evidence: row.evidence, facts });
    assert.equal(top?.rule, 'private-address-unreachable');
  });

  it('a private zone without the record: the fix adds the endpoint address ARM read, and check-health gets its virtual network', function () {
    const row = TABLE.find((r) => r.rule === 'dns-privatelink-nxdomain')!;
    const vnetId = '/subscriptions/s/resourceGroups/net/providers/Microsoft.Network/virtualNetworks/hub';
    const facts = { privateEndpoints: [{ id: 'pe', name: 'pe', vnetId, dns: [{ fqdn: 'myregistry.azurecr.io', addresses: ['10.1.0.4'] }], zoneIds: [] }] };
    const commands = renderFinding('en', evaluate({ registry, symptoms: [], client, evidence: row.evidence, facts })[0]!).fixes.flatMap((f) => f.commands).join('\n');
    assert.match(commands, /--record-set-name myregistry --ipv4-address 10\.1\.0\.4/);
    assert.ok(commands.includes(`--vnet ${vnetId}`), commands);
  });

  it('DNS commands carry a server port and an IPv6 server as the tools take them', function () {
    const evidence = [ev('dns.system', 'dns.system.unreachable', { server: '[fd00::53]:5353' })];
    const commands = renderFinding('en', evaluate({ registry, symptoms: [], client, evidence, facts: {} })[0]!).fixes.flatMap((f) => f.commands);
    assert.ok(commands.includes('dig @fd00::53 -p 5353 myregistry.azurecr.io +tcp'), commands.join('\n'));
    assert.ok(commands.includes('nslookup -port=5353 myregistry.azurecr.io fd00::53'), commands.join('\n'));
  });

  it('a healthy run has no findings and the verdict healthy', function () {
    const evidence = [...healthyPath, ev('v2', 'v2.challenge'), ev('token', 'token.auth-required')];
    const findings = evaluate({ registry, symptoms: [], client, evidence, facts: {} });
    assert.deepEqual(findings, []);
    assert.equal(verdictOf(findings, false), 'healthy');
  });

  it('fills fixes for this registry: the exact network-rule command with the IP ACR saw', function () {
    const row = TABLE.find((r) => r.rule === 'public-access-denied')!;
    const [top] = evaluate({ registry, symptoms: [], client, evidence: row.evidence, facts: {} });
    assert.deepEqual(top?.fixes[0], 'network-rule-add');
    assert.equal(top?.params.clientIp, '198.51.100.4');
  });

  it('property: the verdict is never healthy while any check failed', function () {
    const outcomes = ['dns.system.ok', 'dns.system.notfound', 'tcp.ok', 'tcp.refused', 'tcp.timeout', 'tls.ok', 'tls.untrusted', 'v2.challenge', 'v2.denied', 'v2.unexpected', 'token.throttled', 'proxy.eof', 'data.reachable', 'skip.dns-failed'];
    const evidence = fc.array(fc.tuple(fc.constantFrom(...outcomes), fc.constantFrom<CheckStatus>('pass', 'fail', 'warn', 'skip')), { maxLength: 8 });
    fc.assert(
      fc.property(evidence, fc.subarray(['azure-service-cannot-pull', 'portal-cannot-manage']), (items, symptoms) => {
        const list = items.map(([outcome, status], i) => ev(`${outcome.split('.')[0]}:${i}`, outcome, {}, status));
        const findings = evaluate({ registry, symptoms, client, evidence: list, facts: {} });
        const failed = list.some((e) => e.status === 'fail');
        if (failed) {
          assert.notEqual(verdictOf(findings, failed), 'healthy');
          assert.ok(findings.length > 0, 'a failure always yields a finding, `unknown` at least');
        }
      }),
      { numRuns: 1000 },
    );
  });
});
