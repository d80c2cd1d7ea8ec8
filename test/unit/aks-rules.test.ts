import assert from 'node:assert/strict';
import type { Evidence } from '../../src/engine/probes/evidence.js';
import { egressAllowed } from '../../src/engine/rules/aks-rules.js';
import { evaluate } from '../../src/engine/rules/evaluate.js';
import { renderFinding } from '../../src/engine/report/render.js';
import type { AksFacts, AksNetworkFacts, Facts, Finding, JsonObject, Lang } from '../../src/engine/report/types.js';
import { parseRegistryTarget } from '../../src/engine/target/registry-target.js';
import { readFileSync } from 'node:fs';
import { knowledge } from '../../src/engine/knowledge/knowledge.js';
import { MAX_CLUSTER_CHOICES } from '../../dialogs/diagnose-dialog.js';

const registry = parseRegistryTarget('myregistry');
const ev = (id: string, outcome: string, data: JsonObject = {}): Evidence => ({ id, kind: id.split(':')[0]!, outcome, data, durationMs: 1, status: 'pass' });
const healthy = [ev('dns.system', 'dns.system.ok', { addresses: [{ address: '20.45.122.144', family: 4, class: 'public' }] }), ev('tcp:20.45.122.144', 'tcp.ok'), ev('tls', 'tls.ok'), ev('v2', 'v2.challenge'), ev('token', 'token.auth-required')];
const net = (rg: string, name: string): string => `/subscriptions/s1/resourceGroups/${rg}/providers/Microsoft.Network/virtualNetworks/${name}`;
const SPOKE = net('rg-aks', 'aks-vnet');
const HUB = net('rg-hub', 'hub-vnet');
const PE_VNET = net('rg-acr', 'acr-vnet');
const ZONE = '/subscriptions/s1/resourceGroups/rg-dns/providers/Microsoft.Network/privateDnsZones/privatelink.azurecr.io';
const RESOURCE = '/subscriptions/s1/resourceGroups/rg-acr/providers/Microsoft.ContainerRegistry/registries/myregistry';

const network = (dnsServers: string[] = [], peerings: AksNetworkFacts['peerings'] = []): AksNetworkFacts => ({ id: SPOKE, dnsServers, peerings });
const toHub = (state = 'Connected'): AksNetworkFacts['peerings'][number] => ({ remoteVnetId: HUB, state, remotePrefixes: ['10.0.0.0/16'] });
const cluster = (more: Partial<AksFacts> = {}): AksFacts => ({
  id: '/subscriptions/s1/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/aks-prod',
  name: 'aks-prod',
  outboundType: 'loadBalancer',
  egressIps: ['20.1.2.3'],
  nodeSubnetIds: [`${SPOKE}/subnets/nodes`],
  windowsPools: false,
  privateCluster: false,
  kubeletObjectId: 'k1',
  kubeletPullRoles: ['AcrPull'],
  ...more,
});
/** A registry reached through a private endpoint in `peVnet`, its zone linked to `links`. */
const privateRegistry = (links: string[], peVnet = HUB, more: Facts = {}): Facts => ({
  resourceId: RESOURCE,
  publicNetworkAccess: 'Disabled',
  privateEndpoints: [{ id: `${PE_VNET}/pe`, name: 'pe', vnetId: peVnet, dns: [{ fqdn: 'myregistry.azurecr.io', addresses: ['10.0.1.5'] }], zoneIds: [ZONE] }],
  privateDnsZones: [{ id: ZONE, name: 'privatelink.azurecr.io', records: { myregistry: ['10.0.1.5'] }, vnetLinks: links }],
  ...more,
});

function findings(facts: Facts, evidence: Evidence[] = healthy, lang: Lang = 'en'): Finding[] {
  return evaluate({ registry, symptoms: [], client: { kind: 'aks', dnsServers: [], platform: 'linux/x64' }, evidence, facts }).map((f) => renderFinding(lang, f));
}
const rules = (facts: Facts, evidence?: Evidence[]): string[] => findings(facts, evidence).map((f) => (f.variant ? `${f.rule}/${f.variant}` : f.rule));

describe('AKS rules: the cluster\'s networks, DNS and egress against the registry', function () {
  interface Row {
    name: string;
    facts: Facts;
    evidence?: Evidence[];
    /** The AKS findings expected, `rule/variant` for a case worded on its own. */
    expected: string[];
  }
  const TABLE: Row[] = [
    { name: 'Azure DNS in a network not linked to the zone, public access off', facts: { ...privateRegistry([HUB]), aks: cluster({ networks: [network([], [toHub()])] }) }, expected: ['aks-vnet-not-linked'] },
    { name: 'the same network linked', facts: { ...privateRegistry([HUB, SPOKE]), aks: cluster({ networks: [network([], [toHub()])] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'custom DNS in the peered hub, the hub linked', facts: { ...privateRegistry([HUB]), aks: cluster({ networks: [network(['10.0.0.4'], [toHub()])] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'custom DNS in the peered hub, the hub not linked', facts: { ...privateRegistry([PE_VNET], PE_VNET), aks: cluster({ networks: [network(['10.0.0.4'], [toHub(), { remoteVnetId: PE_VNET, state: 'Connected', remotePrefixes: ['10.2.0.0/16'] }])] }) }, expected: ['aks-vnet-not-linked/hub-unlinked'] },
    { name: 'custom DNS in the linked hub, the peering disconnected', facts: { ...privateRegistry([HUB], PE_VNET), aks: cluster({ networks: [network(['10.0.0.4'], [toHub('Disconnected'), { remoteVnetId: PE_VNET, state: 'Connected', remotePrefixes: ['10.2.0.0/16'] }])] }) }, expected: ['aks-vnet-not-linked/hub-disconnected'] },
    { name: 'custom DNS outside every peered network (on premises): not told', facts: { ...privateRegistry([HUB]), aks: cluster({ networks: [network(['172.16.0.53'], [toHub()])] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'an unlinked network while the public endpoint is open to all: the cluster goes public, nothing to say', facts: { ...privateRegistry([HUB], HUB, { publicNetworkAccess: 'Enabled', defaultAction: 'Allow' }), aks: cluster({ networks: [network([], [toHub()])] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'an unlinked network, selected networks that allow the cluster\'s egress', facts: { ...privateRegistry([HUB], HUB, { publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['20.1.2.0/24'] }), aks: cluster({ networks: [network([], [toHub()])] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'networks not read: nothing said of them', facts: { ...privateRegistry([HUB]), aks: cluster({ unread: ['network'] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'public access off and no private endpoint at all', facts: { resourceId: RESOURCE, publicNetworkAccess: 'Disabled', aks: cluster({ networks: [network()] }) }, evidence: [...healthy, ev('arm.private-endpoints', 'arm.private-endpoints.none')], expected: ['aks-egress-not-allowed/public-off'] },
    { name: 'public access off, the endpoint in a network the cluster is not peered with', facts: { ...privateRegistry([PE_VNET], PE_VNET), aks: cluster({ networks: [network([], [toHub()])] }) }, expected: ['aks-egress-not-allowed/public-off', 'aks-vnet-not-linked'] },
    { name: 'public access off, the endpoint behind a disconnected peering', facts: { ...privateRegistry([HUB, SPOKE]), aks: cluster({ networks: [network([], [toHub('Initiated')])] }) }, expected: ['aks-egress-not-allowed/public-off'] },
    { name: 'public access off, traffic routed through an appliance that may reach the endpoint: not told', facts: { ...privateRegistry([HUB, SPOKE], PE_VNET), aks: cluster({ outboundType: 'userDefinedRouting', egressVia: { nextHopType: 'VirtualAppliance', nextHop: '10.0.0.4' }, networks: [network()] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'user-defined routing through a firewall whose address the rules lack', facts: { resourceId: RESOURCE, publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['198.51.100.0/24'], aks: cluster({ outboundType: 'userDefinedRouting', egressIps: ['203.0.113.80'], egressVia: { nextHopType: 'VirtualAppliance', nextHop: '10.0.0.4', firewall: 'hub-fw' } }) }, expected: ['aks-egress-not-allowed'] },
    { name: 'a NAT gateway\'s public prefix inside an allowed range', facts: { resourceId: RESOURCE, publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['20.1.0.0/16'], aks: cluster({ outboundType: 'userAssignedNATGateway', egressIps: ['20.1.2.0/28'] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'a NAT gateway\'s public prefix wider than the allowed range', facts: { resourceId: RESOURCE, publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['20.1.2.0/29'], aks: cluster({ outboundType: 'userAssignedNATGateway', egressIps: ['20.1.2.0/28'] }) }, expected: ['aks-egress-not-allowed'] },
    { name: 'nothing wrong on a cluster with Windows pools', facts: { resourceId: RESOURCE, aks: cluster({ windowsPools: true }) }, expected: ['aks-check-in-cluster/windows'] },
  ];
  for (const row of TABLE) {
    it(row.name, function () {
      assert.deepEqual(rules(row.facts, row.evidence).filter((r) => r.startsWith('aks-')), row.expected);
    });
  }

  it('links the cluster\'s own network when it uses Azure DNS, the hub when its DNS servers are there', function () {
    const own = findings({ ...privateRegistry([HUB]), aks: cluster({ networks: [network([], [toHub()])] }) }).find((f) => f.rule === 'aks-vnet-not-linked')!;
    assert.deepEqual(own.fixes[0]!.commands, [`az network private-dns link vnet create --resource-group rg-dns --zone-name privatelink.azurecr.io --name aks-vnet-link --virtual-network ${SPOKE} --registration-enabled false`]);
    assert.match(own.title, /aks-vnet .*privatelink\.azurecr\.io/);
    const hub = findings({ ...privateRegistry([PE_VNET], PE_VNET), aks: cluster({ networks: [network(['10.0.0.4'], [toHub(), { remoteVnetId: PE_VNET, state: 'Connected', remotePrefixes: ['10.2.0.0/16'] }])] }) }).find((f) => f.rule === 'aks-vnet-not-linked')!;
    assert.match(hub.fixes[0]!.commands[0]!, /--name hub-vnet-link --virtual-network \/subscriptions\/s1\/resourceGroups\/rg-hub\/.*hub-vnet /);
    assert.match(hub.title, /10\.0\.0\.4.*hub-vnet.*not linked/);
  });

  it('public access off without a private path: a private endpoint in the cluster\'s network, its zone link, or the public endpoint for its egress', function () {
    const [finding] = findings({ resourceId: RESOURCE, publicNetworkAccess: 'Disabled', aks: cluster({ networks: [network()] }) }, [...healthy, ev('arm.private-endpoints', 'arm.private-endpoints.none')]);
    assert.equal(finding?.variant, 'public-off');
    assert.match(finding!.title, /aks-prod has no way to the registry/);
    assert.deepEqual(finding!.fixes.map((f) => f.id), ['aks-private-endpoint', 'zone-link', 'aks-public-selected', 'aks-egress-allow']);
    assert.equal(
      finding!.fixes[0]!.commands[0],
      `az network private-endpoint create --resource-group rg-aks --name myregistry-aks-prod-pe --vnet-name aks-vnet --subnet nodes --private-connection-resource-id ${RESOURCE} --group-id registry --connection-name myregistry-aks-prod`,
    );
    assert.deepEqual(finding!.fixes[3]!.commands, ['az acr network-rule add --name myregistry --ip-address 20.1.2.3']);
    for (const lang of ['ru', 'ar'] as const) {
      const [other] = findings({ resourceId: RESOURCE, publicNetworkAccess: 'Disabled', aks: cluster({ networks: [network()] }) }, [...healthy, ev('arm.private-endpoints', 'arm.private-endpoints.none')], lang);
      assert.notEqual(other!.title, finding!.title, `${lang}: its own words`);
      assert.doesNotMatch(other!.title + other!.explanation, /\{\w+\}/, `${lang}: no placeholder left`);
    }
  });

  it('a cluster with Windows pools is told to check from a Windows node too, with a pod pinned to Windows', function () {
    const [finding] = findings({ resourceId: RESOURCE, aks: cluster({ windowsPools: true }) });
    assert.match(finding!.title, /Windows nodes too/);
    assert.deepEqual(finding!.fixes.map((f) => f.id), ['aks-check-acr', 'aks-windows-nodes']);
    assert.match(finding!.fixes[1]!.commands[0]!, /"kubernetes\.io\/os":"windows".*Resolve-DnsName myregistry\.azurecr\.io/);
    const linuxOnly = findings({ resourceId: RESOURCE, aks: cluster() })[0]!;
    assert.deepEqual(linuxOnly.fixes.map((f) => f.id), ['aks-check-acr']);
  });

  it('an egress prefix counts as allowed only inside an allowed range', function () {
    assert.ok(egressAllowed('20.1.2.0/28', ['20.1.2.0/24']));
    assert.ok(egressAllowed('20.1.2.0/28', ['20.1.2.0/28']));
    assert.ok(!egressAllowed('20.1.2.0/24', ['20.1.2.0/28']));
    assert.ok(!egressAllowed('20.1.2.0/28', ['20.1.2.3']));
    assert.ok(egressAllowed('20.1.2.3', ['20.1.2.3']));
    assert.ok(!egressAllowed('not-an-address/8', ['0.0.0.0/0']));
  });

  it('docs/aks.md names every AKS rule with its cause, and the dialog\'s number of buttons', function () {
    const page = readFileSync('docs/aks.md', 'utf8');
    const rules = Object.entries(knowledge.rules).filter(([id]) => id.startsWith('aks-'));
    assert.ok(rules.length >= 4);
    for (const [id, rule] of rules) assert.ok(page.includes(`\`${id}\``) && (rule.cause === 'unknown' || page.includes(`\`${id}\` (\`${rule.cause}\`)`)), id);
    const words = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
    assert.ok(page.includes(`at most ${words[MAX_CLUSTER_CHOICES]}`), `at most ${words[MAX_CLUSTER_CHOICES]}`);
  });
});
