/**
 * "AKS can't pull from my registry" in the bot: the guided dialog asks which cluster, offering the
 * clusters the asker may read (here the bot's identity within the scope map), and the result card
 * says what was read of the cluster and runs the pod command in it. A cluster side outside the
 * asker's scopes is not read, and says so; what it would show is never on the card.
 */
import assert from 'node:assert/strict';
import { aksContextName } from '../../src/engine/target/aks-cluster.js';
import { activity, cardOf, cardText, postTo, startLabBot, type LabBot } from './bot-client.js';
import { startConnectorStub, type Sent } from './connector-stub.js';
import { clusterVnetId, LAB_CLUSTERS, LAB_SUBSCRIPTION, zoneResourceGroup } from './fake-arm.js';
import { assertIsolated } from './isolation.js';
import { identityEnv } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';
import { assertValidCard } from '../helpers/validate-card.js';

const PORT = 3962;
const RG = (group: string): string => `/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/${group}`;

interface HeroCard {
  text?: string;
  buttons?: { title: string; value: string }[];
}
const heroOf = (s: Sent): HeroCard | undefined => s.activity.attachments?.find((a) => a.contentType === 'application/vnd.microsoft.card.hero')?.content as HeroCard | undefined;

describe('lab: the bot with AKS (the cluster asked for, read within the asker\'s scopes)', function () {
  this.timeout(120_000);
  let lab: LabWorld;
  let connector: Awaited<ReturnType<typeof startConnectorStub>>;
  let bot: LabBot | undefined;

  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
    connector = await startConnectorStub();
    const rules = [
      // The platform team reads the whole subscription: registries, clusters, networks, the hub.
      { tenant: 'tenant-platform', scopes: [RG('rg-acr').replace(/\/resourceGroups\/.*$/, '')] },
      // The app team reads the registries and the clusters' resource group, not the node resource groups nor the hub.
      { tenant: 'tenant-app', scopes: [RG('rg-acr'), RG('rg-aks')] },
      // The registry team reads the registries alone: no cluster to offer.
      { tenant: 'tenant-registry', scopes: [RG('rg-acr')] },
    ];
    bot = await startLabBot(lab.pki.caPath, PORT, { DIAGNOSIS_BUDGET_MS: '6000', ARM_ACCESS: 'bot', ARM_SCOPES: JSON.stringify(rules), ...identityEnv('allowed') });
  });

  after(async function () {
    bot?.child.kill('SIGTERM');
    await connector?.close();
    await lab?.stop();
  });

  /** Sends `text` in a conversation of `tenant`; the first reply after it that `matches`. */
  async function say(conversation: string, tenant: string, text: string, matches: (s: Sent) => boolean): Promise<Sent> {
    const before = connector.sent.length;
    await postTo(PORT, activity(conversation, { text, channelData: { tenant: { id: tenant } }, from: { id: `user-${tenant}`, name: 'Platform Engineer', aadObjectId: `oid-${tenant}` } }, connector.url));
    const mine = (s: Sent[]): Sent[] => s.slice(before).filter((x) => x.conversation === conversation && matches(x));
    await connector.waitFor((s) => mine(s).length > 0, 30_000);
    return mine(connector.sent)[0]!;
  }
  const result = (conversation: string, tenant: string, text: string): Promise<Sent> =>
    say(conversation, tenant, text, (x) => x.method === 'PUT' && /HEALTHY|PROBLEM|INCOMPLETE/.test(cardText(cardOf(x))));

  it('"AKS can\'t pull from …": the cluster is asked for among those the asker may read; the card shows the cluster\'s side and runs the pod in it', async function () {
    const question = heroOf(await say('aks-guided', 'tenant-platform', "AKS can't pull from aksunlinked", (x) => heroOf(x) !== undefined))!;
    assert.match(question.text ?? '', /Which AKS cluster\?/);
    assert.deepEqual(
      question.buttons?.map((b) => b.title),
      Object.keys(LAB_CLUSTERS).sort().map((name) => `${name} (rg-aks)`).slice(0, 6),
      'every cluster the scope reads, by name',
    );
    const spoke = question.buttons!.find((b) => b.title.startsWith('aks-spoke '))!;
    const card = cardOf(await result('aks-guided', 'tenant-platform', spoke.value))!;
    assertValidCard(card);
    const text = cardText(card);
    assert.match(text, /PROBLEM/);
    assert.ok(text.includes(`--zone-name privatelink.azurecr.io --name aks-spoke-vnet-link --virtual-network ${clusterVnetId('aks-spoke')}`), 'the link command for the cluster\'s network');
    assert.ok(text.includes(`--resource-group ${zoneResourceGroup('aksunlinked')}`));
    assert.match(text, /The AKS cluster's side, as Azure shows it: .*aks-spoke: outbound loadBalancer, egress addresses 203\.0\.113\.60/);
    const context = aksContextName(LAB_SUBSCRIPTION, 'rg-aks', 'aks-spoke');
    assert.ok(
      text.includes(`az aks get-credentials --subscription ${LAB_SUBSCRIPTION} --resource-group rg-aks --name aks-spoke --context ${context} --overwrite-existing; kubectl --context ${context} run `),
      'the pod runs in that cluster, fetched from its subscription into a context of its own',
    );
    const rerun = (card.actions as { data?: { verb?: string; aksCluster?: string } }[]).find((a) => a.data?.verb === 'rerun');
    assert.match(rerun?.data?.aksCluster ?? '', /managedClusters\/aks-spoke$/, 're-run asks about the same cluster');
  });

  it('a cluster typed as resourceGroup/name works the same; the hub\'s DNS servers not linked are found', async function () {
    await say('aks-typed', 'tenant-platform', "AKS can't pull from akshubdns", (x) => heroOf(x) !== undefined);
    const card = cardOf(await result('aks-typed', 'tenant-platform', 'rg-aks/aks-hubdns'))!;
    assert.match(cardText(card), /DNS servers \(10\.0\.0\.4\) in hub-vnet cannot resolve/);
  });

  it('within a scope without the node resource group and the hub: the cluster is read, its egress is not, and the card says so without an address', async function () {
    await say('aks-app', 'tenant-app', "AKS can't pull from aksegress", (x) => heroOf(x) !== undefined);
    const card = cardText(cardOf(await result('aks-app', 'tenant-app', 'rg-aks/aks-lab'))!);
    assert.match(card, /aks-lab: outbound loadBalancer, egress addresses -;.*not readable with this identity: egress/);
    assert.ok(!card.includes('203.0.113.50'), 'the egress address outside the scope is on no card');
    assert.doesNotMatch(card, /aks-egress-not-allowed|leaves from/, 'no finding rests on what was not read');
  });

  it('an asker who may read no cluster is not asked: the diagnosis runs without the cluster\'s side', async function () {
    const card = cardText(cardOf(await result('aks-registry', 'tenant-registry', "AKS can't pull from aksegress"))!);
    assert.doesNotMatch(card, /The AKS cluster's side/);
    assert.ok(!connector.sent.some((x) => x.conversation === 'aks-registry' && heroOf(x)), 'no cluster question');
  });
});
