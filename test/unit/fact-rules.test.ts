import assert from 'node:assert/strict';
import type { Evidence } from '../../src/engine/probes/evidence.js';
import { evaluate } from '../../src/engine/rules/evaluate.js';
import { matchesIpRule } from '../../src/engine/net/ip-ranges.js';
import { PREDICATES } from '../../src/engine/rules/evaluate.js';
import { knowledge } from '../../src/engine/knowledge/knowledge.js';
import { renderFinding } from '../../src/engine/report/render.js';
import type { CheckStatus, ClientKind, Facts, JsonObject } from '../../src/engine/report/types.js';
import { parseRegistryTarget } from '../../src/engine/target/registry-target.js';

const registry = parseRegistryTarget('myregistry');
const ev = (id: string, outcome: string, data: JsonObject = {}, status: CheckStatus = 'pass'): Evidence => ({ id, kind: id.split(':')[0]!, outcome, data, durationMs: 1, status });
const publicAnswer = ev('dns.system', 'dns.system.ok', { addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }] });
const healthy = [publicAnswer, ev('tcp:20.45.122.144', 'tcp.ok'), ev('tls', 'tls.ok'), ev('v2', 'v2.challenge'), ev('token', 'token.auth-required')];
const denied = [publicAnswer, ev('tcp:20.45.122.144', 'tcp.ok'), ev('tls', 'tls.ok'), ev('v2', 'v2.denied', { clientIp: '203.0.113.77' }, 'fail')];
const zone = (records: Record<string, string[]>, vnetLinks: string[]) => ({
  id: '/subscriptions/s1/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io',
  name: 'privatelink.azurecr.io',
  records,
  vnetLinks,
});
const VNET = '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet1';
const endpoint = (dns: Record<string, string>) => ({
  id: '/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe1',
  name: 'pe1',
  vnetId: VNET,
  dns: Object.entries(dns).map(([fqdn, ip]) => ({ fqdn, addresses: [ip] })),
  zoneIds: [],
});

interface Row {
  name: string;
  evidence: Evidence[];
  facts: Facts;
  symptoms?: string[];
  client?: ClientKind;
  rule: string;
  params?: Record<string, string>;
}

const aks = (egressIps: string[]) => ({ id: '/subscriptions/s1/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod', name: 'aks-prod', outboundType: 'loadBalancer', egressIps, nodeSubnetIds: [], windowsPools: false, privateCluster: false });

const TABLE: Row[] = [
  {
    name: 'an AKS cluster whose kubelet identity holds no role that lets it pull',
    evidence: healthy,
    client: 'aks',
    facts: { aks: { ...aks([]), kubeletObjectId: 'k1', kubeletRoles: [] } },
    rule: 'aks-kubelet-no-acrpull',
    params: { aksCluster: 'aks-prod', kubeletObjectId: 'k1', aksResourceGroup: 'rg-aks' },
  },
  {
    name: "an AKS cluster whose egress addresses the IP rules do not allow (the registry itself answers the probes)",
    evidence: healthy,
    client: 'aks',
    facts: { defaultAction: 'Deny', publicNetworkAccess: 'Enabled', ipRules: ['198.51.100.0/24'], aks: aks(['20.1.2.3', '198.51.100.7', '20.1.2.4']) },
    rule: 'aks-egress-not-allowed',
    params: { aksCluster: 'aks-prod', egressIps: '20.1.2.3, 20.1.2.4' },
  },
  { name: 'DENIED for an IP outside the rules', evidence: denied, facts: { defaultAction: 'Deny', ipRules: ['198.51.100.0/24'] }, rule: 'ip-not-in-rules', params: { clientIp: '203.0.113.77' } },
  { name: 'DENIED with the quota of rules reached', evidence: denied, facts: { defaultAction: 'Deny', ipRules: Array.from({ length: 100 }, (_, i) => `192.0.2.${i}`) }, rule: 'ip-rule-quota', params: { ruleCount: '100' } },
  { name: 'public access disabled, public path taken', evidence: denied, facts: { publicNetworkAccess: 'Disabled' }, rule: 'public-access-disabled' },
  {
    name: 'private answer that is not the endpoint',
    evidence: [ev('dns.system', 'dns.system.ok', { addresses: [{ address: '10.0.0.9', family: 4, class: 'private' }] }), ev('tcp:10.0.0.9', 'tcp.unreachable', { address: '10.0.0.9' }, 'fail')],
    facts: { privateEndpoints: [endpoint({ 'myregistry.azurecr.io': '10.0.0.7' })], privateDnsZones: [zone({ myregistry: ['10.0.0.9'] }, [VNET])] },
    rule: 'pe-dns-mismatch',
    params: { expectedAddress: '10.0.0.7', actualAddress: '10.0.0.9', recordName: 'myregistry', zoneResourceGroup: 'rg-dns' },
  },
  {
    name: 'a replica region without its data record',
    evidence: healthy,
    facts: { location: 'westeurope', replications: ['westeurope', 'eastus'], privateEndpoints: [endpoint({ 'myregistry.eastus.data.azurecr.io': '10.0.0.8' })], privateDnsZones: [zone({ myregistry: ['10.0.0.7'], 'myregistry.westeurope.data': ['10.0.0.6'] }, [VNET])] },
    rule: 'replica-data-record-missing',
    params: { region: 'eastus', recordName: 'myregistry.eastus.data', expectedAddress: '10.0.0.8' },
  },
  {
    name: "a zone not linked to the endpoint's VNet",
    evidence: healthy,
    facts: { location: 'westeurope', privateEndpoints: [endpoint({})], privateDnsZones: [zone({ myregistry: ['10.0.0.7'], 'myregistry.westeurope.data': ['10.0.0.6'] }, ['/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub'])] },
    rule: 'zone-not-linked',
    params: { vnet: 'vnet1' },
  },
  { name: 'provider missing in a VNet subscription', evidence: healthy, facts: { providerRegistrations: [{ subscriptionId: 's2', state: 'NotRegistered' }] }, rule: 'provider-not-registered', params: { subscription: 's2' } },
  { name: 'network settings on Basic', evidence: healthy, facts: { sku: 'Basic' }, symptoms: ['network-settings-save-failed'], rule: 'network-rules-need-premium', params: { sku: 'Basic' } },
  { name: 'Tasks on a restricted registry', evidence: healthy, facts: { defaultAction: 'Deny', bypassForTasks: false, resourceId: '/subscriptions/s1/x' }, client: 'tasks', rule: 'tasks-bypass-disabled', params: { resourceId: '/subscriptions/s1/x' } },
  { name: 'Defender with bypass None', evidence: healthy, facts: { defaultAction: 'Deny', bypass: 'None' }, symptoms: ['defender-cannot-scan'], rule: 'trusted-services-disabled' },
];

describe('rules that read ARM facts', function () {
  for (const row of TABLE) {
    it(`${row.name} → ${row.rule}`, function () {
      const client = { dnsServers: [], platform: 'linux/x64', ...(row.client ? { kind: row.client } : {}) };
      const findings = evaluate({ registry, symptoms: row.symptoms ?? [], client, evidence: row.evidence, facts: row.facts });
      assert.equal(findings[0]?.rule, row.rule, JSON.stringify(findings.map((f) => f.rule)));
      for (const [key, value] of Object.entries(row.params ?? {})) assert.equal(findings[0]?.params[key], value, key);
    });
  }

  it('stays quiet when the facts show nothing wrong', function () {
    const facts: Facts = { sku: 'Premium', publicNetworkAccess: 'Enabled', defaultAction: 'Allow', ipRules: [], bypass: 'AzureServices', location: 'westeurope', replications: ['westeurope'] };
    assert.deepEqual(evaluate({ registry, symptoms: [], client: { dnsServers: [], platform: 'x' }, evidence: healthy, facts }), []);
  });

  it('does not blame the IP rules when the IP is in them (CIDR or single address)', function () {
    const facts: Facts = { defaultAction: 'Deny', ipRules: ['203.0.113.0/24'] };
    const [top] = evaluate({ registry, symptoms: [], client: { dnsServers: [], platform: 'x' }, evidence: denied, facts });
    assert.equal(top?.rule, 'public-access-denied');
  });

  it('matches addresses against rules as ACR does', function () {
    assert.ok(matchesIpRule('203.0.113.77', ['203.0.113.0/24']));
    assert.ok(matchesIpRule('203.0.113.77', ['203.0.113.77']));
    assert.ok(!matchesIpRule('203.0.114.1', ['203.0.113.0/24', '198.51.100.1']));
    assert.ok(matchesIpRule('2001:db8::5', ['2001:db8::/64']));
    assert.ok(!matchesIpRule('203.0.113.77', ['not-a-rule', '2001:db8::/64']));
  });

  describe('Azure endpoints not reached', function () {
    const client = { dnsServers: [], platform: 'linux/x64' };
    const unreachable = (id: string, failure: string, endpoint: string, host: string, port = 443): Evidence =>
      ev(id, `${id === 'exchange' ? 'exchange' : 'arm'}.unreachable.${failure}`, { endpoint, host, port, failure, service: endpoint === 'entra' ? 'Microsoft Entra ID' : 'Azure Resource Manager' }, 'warn');
    const ROWS: [string, Evidence[], Record<string, string>][] = [
      ['the authority refuses: ARM and the exchange both name it', [unreachable('arm.registry', 'refused', 'entra', 'login.microsoftonline.com'), unreachable('exchange', 'refused', 'entra', 'login.microsoftonline.com')], { azureHost: 'login.microsoftonline.com', azurePort: '443', azureUrl: 'https://login.microsoftonline.com/' }],
      ['ARM silent', [unreachable('arm.registry', 'timeout', 'arm', 'management.azure.com')], { azureHost: 'management.azure.com', azureService: 'Azure Resource Manager' }],
      ['IMDS refused', [unreachable('arm.registry', 'refused', 'imds', '169.254.169.254', 80)], { azureHost: '169.254.169.254', azurePort: '80', azureUrl: 'http://169.254.169.254/metadata/instance?api-version=2021-02-01' }],
    ];
    for (const [name, evidence, params] of ROWS) {
      it(`${name} → azure-endpoint-unreachable, host filled in`, function () {
        const [top] = evaluate({ registry, symptoms: [], client, evidence: [...healthy, ...evidence], facts: {} });
        assert.equal(top?.rule, 'azure-endpoint-unreachable');
        assert.equal(top?.cause, 'client-firewall-or-proxy');
        assert.equal(top?.confidence, 'medium');
        assert.deepEqual(top?.evidence, evidence.map((e) => e.id));
        for (const [key, value] of Object.entries(params)) assert.equal(top?.params[key], value, key);
        const finding = renderFinding('en', top!);
        assert.ok(finding.fixes[0]?.commands.includes(`curl -sv --max-time 10 '${params.azureUrl ?? `https://${params.azureHost}/`}'`), JSON.stringify(finding.fixes));
        for (const lang of ['en', 'ru', 'ar'] as const) {
          const rendered = renderFinding(lang, top!);
          const texts = [rendered.title, rendered.explanation, ...rendered.fixes.flatMap((f) => [f.title, ...f.commands])];
          assert.ok(rendered.title.includes(params.azureHost!), `${lang}: ${rendered.title}`);
          for (const text of texts) assert.doesNotMatch(text, /\{\w+\}/, `${lang}: ${text}`);
        }
      });
    }

    describe('through a proxy that failed the request: the proxy is named and its fix comes first', function () {
      const throughProxy = (id: string, failure: string, proxy: string, statusCode?: number): Evidence =>
        ev(id, `${id === 'exchange' ? 'exchange' : 'arm'}.unreachable.${failure}`, { endpoint: 'entra', host: 'login.microsoftonline.com', port: 443, failure, service: 'Microsoft Entra ID', proxy, ...(statusCode ? { statusCode } : {}) }, 'warn');
      const PROXY = 'http://10.3.128.1:3128';
      const CURL_THROUGH = `curl -sv --max-time 10 --proxy '${PROXY}' 'https://login.microsoftonline.com/'`;
      const PROXY_ROWS: [failure: string, statusCode: number | undefined, fixes: string[]][] = [
        ['proxy-denied', 403, ['azure-endpoint-proxy', 'azure-endpoint-allow']],
        ['proxy-status', 502, ['azure-endpoint-proxy', 'azure-endpoint-allow']],
        ['proxy-closed', undefined, ['azure-endpoint-proxy', 'azure-endpoint-allow']],
        ['proxy-refused', undefined, ['azure-endpoint-proxy', 'azure-endpoint-allow']],
        ['proxy-timeout', undefined, ['azure-endpoint-proxy', 'azure-endpoint-allow']],
        ['proxy-dns', undefined, ['azure-endpoint-proxy', 'azure-endpoint-allow']],
      ];
      for (const [failure, statusCode, fixes] of PROXY_ROWS) {
        it(`${failure}: the finding's route and first fix name the proxy, the fix checks the host through it`, function () {
          const evidence = [throughProxy('arm.registry', failure, PROXY, statusCode), throughProxy('exchange', failure, PROXY, statusCode)];
          const [top] = evaluate({ registry, symptoms: [], client, evidence: [...healthy, ...evidence], facts: {} });
          assert.equal(top?.rule, 'azure-endpoint-unreachable');
          assert.deepEqual(top?.fixes, fixes);
          assert.equal(top?.params.azureRoute, `${PROXY} → login.microsoftonline.com:443`);
          for (const lang of ['en', 'ru', 'ar'] as const) {
            const rendered = renderFinding(lang, top!);
            assert.ok(rendered.title.includes(PROXY) && rendered.title.includes('login.microsoftonline.com'), `${lang}: ${rendered.title}`);
            assert.ok(rendered.fixes[0]?.title.includes(PROXY), `${lang}: ${rendered.fixes[0]?.title}`);
          }
          assert.equal(renderFinding('en', top!).fixes[0]?.commands[0], CURL_THROUGH);
        });
      }

      it('407: the fix is credentials, with <user>:<password> to replace, never REDACTED nor the real ones', function () {
        const shown = 'http://REDACTED@10.3.128.4:3128';
        const evidence = [throughProxy('arm.registry', 'proxy-auth-required', shown, 407)];
        const [top] = evaluate({ registry, symptoms: [], client, evidence: [...healthy, ...evidence], facts: {} });
        assert.deepEqual(top?.fixes, ['azure-endpoint-proxy-credentials', 'azure-endpoint-proxy']);
        const rendered = renderFinding('en', top!);
        assert.deepEqual(rendered.fixes[0]?.commands, ["export HTTPS_PROXY='http://<user>:<password>@10.3.128.4:3128'", `curl -sv --max-time 10 --proxy "$HTTPS_PROXY" 'https://login.microsoftonline.com/'`]);
        assert.ok(rendered.title.includes('http://10.3.128.4:3128 → login.microsoftonline.com:443'), rendered.title);
        for (const lang of ['en', 'ru', 'ar'] as const) {
          const texts = renderFinding(lang, top!);
          for (const text of [texts.title, texts.explanation, ...texts.fixes.flatMap((f) => [f.title, ...f.commands])]) assert.doesNotMatch(text, /REDACTED|\{\w+\}/, `${lang}: ${text}`);
        }
      });

      it('a direct failure keeps "allow the host" first and no proxy in its route', function () {
        const [top] = evaluate({ registry, symptoms: [], client, evidence: [...healthy, unreachable('arm.registry', 'refused', 'entra', 'login.microsoftonline.com')], facts: {} });
        assert.deepEqual(top?.fixes, ['azure-endpoint-allow', 'azure-endpoint-proxy']);
        assert.equal(top?.params.azureRoute, 'login.microsoftonline.com:443');
      });
    });

    it('does not outrank a finding about the registry path', function () {
      const refused = [publicAnswer, ev('tcp:20.45.122.144', 'tcp.refused', { address: '20.45.122.144' }, 'fail')];
      const findings = evaluate({ registry, symptoms: [], client, evidence: [...refused, unreachable('arm.registry', 'refused', 'entra', 'login.microsoftonline.com')], facts: {} });
      assert.deepEqual(findings.map((f) => f.rule), ['connection-refused', 'azure-endpoint-unreachable']);
    });

    it('never contradicts what was read: an endpoint that answered elsewhere in the run is not unreachable', function () {
      const armAnswered = [...healthy, ev('arm.registry', 'arm.registry.ok'), unreachable('arm.replications', 'timeout', 'arm', 'management.azure.com')];
      assert.deepEqual(evaluate({ registry, symptoms: [], client, evidence: armAnswered, facts: { sku: 'Premium' } }), []);
      const tokenWorked = [...healthy, ev('exchange', 'exchange.ok'), unreachable('arm.registry', 'refused', 'entra', 'login.microsoftonline.com')];
      assert.deepEqual(evaluate({ registry, symptoms: [], client, evidence: tokenWorked, facts: {} }), []);
    });
  });

  it('every rule of the knowledge base has a predicate, and every predicate a rule', function () {
    const rules = Object.keys(knowledge.rules).filter((r) => r !== 'unknown');
    assert.deepEqual([...rules].sort(), Object.keys(PREDICATES).sort());
  });
});

describe('AKS: the cluster\'s side of a failed pull', function () {
  const input = (facts: Facts) => ({ registry, symptoms: [], client: { kind: 'aks' as const, dnsServers: [], platform: 'linux/x64' }, evidence: healthy, facts });

  it('one command per egress address not allowed, filled in and ready to paste', function () {
    const [finding] = evaluate(input({ defaultAction: 'Deny', publicNetworkAccess: 'Enabled', ipRules: ['198.51.100.0/24'], aks: aks(['20.1.2.3', '20.1.2.4']) })).map((f) => renderFinding('en', f));
    assert.equal(finding?.rule, 'aks-egress-not-allowed');
    assert.deepEqual(finding?.fixes[0]?.commands, ['az acr network-rule add --name myregistry --ip-address 20.1.2.3', 'az acr network-rule add --name myregistry --ip-address 20.1.2.4']);
    assert.match(finding!.title, /aks-prod leaves from 20\.1\.2\.3, 20\.1\.2\.4/);
  });

  it('says nothing when every egress address is allowed, the registry is open to all, or the cluster has no known egress', function () {
    const rules = (facts: Facts): string[] => evaluate(input(facts)).map((f) => f.rule);
    assert.ok(!rules({ defaultAction: 'Deny', publicNetworkAccess: 'Enabled', ipRules: ['20.1.2.0/24'], aks: aks(['20.1.2.3']) }).includes('aks-egress-not-allowed'));
    assert.ok(!rules({ defaultAction: 'Allow', publicNetworkAccess: 'Enabled', ipRules: [], aks: aks(['20.1.2.3']) }).includes('aks-egress-not-allowed'));
    assert.ok(!rules({ defaultAction: 'Deny', publicNetworkAccess: 'Enabled', ipRules: ['198.51.100.0/24'], aks: aks([]) }).includes('aks-egress-not-allowed'), 'user-defined routing: the firewall\'s address is not known here');
  });

  it('AKS that cannot pull from a reachable registry is not told to allow trusted services: it is told to check from inside the cluster', function () {
    const findings = evaluate({ registry, symptoms: ['azure-service-cannot-pull'], client: { kind: 'aks', dnsServers: [], platform: 'linux/x64' }, evidence: healthy, facts: { defaultAction: 'Deny', ipRules: ['198.51.100.0/24'], aks: aks(['198.51.100.7']) } }).map((f) => renderFinding('en', f));
    assert.deepEqual(findings.map((f) => f.rule), ['aks-check-in-cluster']);
    assert.deepEqual(findings[0]!.fixes[0]!.commands, ['az aks check-acr --subscription s1 --resource-group rg-aks --name aks-prod --acr myregistry.azurecr.io']);
    const asService = evaluate({ registry, symptoms: ['azure-service-cannot-pull'], client: { kind: 'azure-service', dnsServers: [], platform: 'linux/x64' }, evidence: healthy, facts: {} });
    assert.ok(asService.some((f) => f.rule === 'service-restricted-symptom'), 'another Azure service still gets the trusted-services advice');
    const bypassOff = { defaultAction: 'Deny', publicNetworkAccess: 'Enabled', bypass: 'None', ipRules: ['198.51.100.0/24'] };
    const aksRules = evaluate({ registry, symptoms: ['azure-service-cannot-pull'], client: { kind: 'aks', dnsServers: [], platform: 'linux/x64' }, evidence: healthy, facts: bypassOff }).map((f) => f.rule);
    assert.ok(!aksRules.includes('trusted-services-disabled'), aksRules.join(', '));
  });

  it('a kubelet with AcrPull, or whose roles could not be read, is not said to lack it', function () {
    const rules = (kubeletRoles?: string[]): string[] =>
      evaluate({ registry, symptoms: [], client: { kind: 'aks', dnsServers: [], platform: 'linux/x64' }, evidence: healthy, facts: { aks: { ...aks([]), kubeletObjectId: 'k1', ...(kubeletRoles ? { kubeletRoles } : {}) } } }).map((f) => f.rule);
    assert.ok(!rules(['AcrPull']).includes('aks-kubelet-no-acrpull'));
    assert.ok(!rules(undefined).includes('aks-kubelet-no-acrpull'));
    assert.ok(rules([]).includes('aks-kubelet-no-acrpull'));
    assert.ok(!rules([]).includes('aks-check-in-cluster'), 'a known cause is not followed by "nothing explains it"');
    assert.ok(rules(['AcrPull']).includes('aks-check-in-cluster'));
  });
});

