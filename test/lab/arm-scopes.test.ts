/**
 * The bot's own identity, limited to what an administrator's scope map (ARM_SCOPES) gives the
 * asker's tenant, team or channel: the real bot against the lab's fake ARM, where the bot's identity
 * could read everything. What a scope does not reach never reaches a card, and every read is audited.
 */
import assert from 'node:assert/strict';
import { activity, cardOf, cardText, postTo, startLabBot, type LabBot } from './bot-client.js';
import { startConnectorStub, type Sent } from './connector-stub.js';
import { LAB_RESOURCE_GROUP, LAB_SUBSCRIPTION, zoneResourceGroup } from './fake-arm.js';
import { assertIsolated } from './isolation.js';
import { ARM_SCENARIOS, identityEnv, SCENARIOS } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';
import { eventually } from './eventually.js';

const PORT = 3960;

describe('lab: Azure read within the asker\'s scopes (ARM_ACCESS=bot, ARM_SCOPES)', function () {
  this.timeout(120_000);
  let lab: LabWorld;
  let connector: Awaited<ReturnType<typeof startConnectorStub>>;
  let bot: LabBot | undefined;
  const log = (): string => bot?.log() ?? '';

  before(async function () {
    assertIsolated();
    lab = await startLabWorld([...SCENARIOS, ...ARM_SCENARIOS]);
    connector = await startConnectorStub();
    const rules = [
      // The platform team reads the registries' resource group, not the DNS team's zones.
      { tenant: 'tenant-platform', scopes: [`/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/${LAB_RESOURCE_GROUP}`] },
      // One channel of another tenant reads only the DNS zones' group.
      { tenant: 'tenant-dns', channel: '19:dns@thread.tacv2', scopes: [`/subscriptions/${LAB_SUBSCRIPTION}/resourceGroups/${zoneResourceGroup('armpedns')}`] },
    ];
    bot = await startLabBot(lab.pki.caPath, PORT, { DIAGNOSIS_BUDGET_MS: '6000', ARM_ACCESS: 'bot', ARM_SCOPES: JSON.stringify(rules), ...identityEnv('allowed') });
  });

  after(async function () {
    bot?.child.kill('SIGTERM');
    await connector?.close();
    await lab?.stop();
  });

  /** The result card of `acr-check <registry>` asked from a tenant (and channel). */
  async function resultFor(conversation: string, registry: string, tenant: string, channel?: string): Promise<string> {
    const channelData = { tenant: { id: tenant }, ...(channel ? { channel: { id: channel } } : {}) };
    await postTo(PORT, activity(conversation, { text: `acr-check ${registry}`, channelData, from: { id: 'user-1', name: 'Platform Engineer', aadObjectId: `oid-${tenant}` } }, connector.url));
    const mine = (s: Sent[]): Sent[] => s.filter((x) => x.conversation === conversation && x.method === 'PUT' && /HEALTHY|PROBLEM|INCOMPLETE/.test(cardText(cardOf(x))));
    await connector.waitFor((s) => mine(s).length > 0, 30_000);
    return cardText(cardOf(mine(connector.sent).pop()!));
  }

  /** Until `ready` holds (audit lines reach the test through the bot's log pipe, after the card may have). */
  const settled = (ready: () => boolean): Promise<void> => eventually(ready, () => `the audit lines did not come:\n${log().slice(-4000)}`);

  const auditOf = (tenant: string): { check: string; result: string; registry: string; subscription?: string; mode: string }[] =>
    log()
      .split('\n')
      .filter((line) => line.includes('"audit":"arm-read"') && line.includes(`"tenantId":"${tenant}"`))
      .map((line) => JSON.parse(line) as { check: string; result: string; registry: string; subscription?: string; mode: string });

  it('a scope with the registry: its configuration is read; a private DNS zone outside the scope is not, and says why', async function () {
    const card = await resultFor('scope-platform', 'armpedns', 'tenant-platform');
    assert.match(card, /Disabled/, 'the registry, read: public network access disabled');
    assert.match(card, /outside what this conversation may read with the bot's identity/);
    assert.doesNotMatch(card, /zones: privatelink/, 'no zone facts');
    // The bot's log reaches the test through a pipe, after the card may have.
    await settled(() => auditOf('tenant-platform').some((a) => a.check === 'arm.private-dns'));
    const audit = auditOf('tenant-platform');
    assert.deepEqual(
      audit.filter((a) => ['arm.registry', 'arm.private-endpoints', 'arm.private-dns'].includes(a.check)).map((a) => [a.check, a.result]),
      [['arm.registry', 'read'], ['arm.private-endpoints', 'read'], ['arm.private-dns', 'out-of-scope']],
    );
    assert.ok(audit.every((a) => a.mode === 'bot' && a.registry === 'armpedns.azurecr.io' && a.subscription === LAB_SUBSCRIPTION));
    assert.ok(!/Bearer|eyJ/.test(log()), 'no token in the log');
  });

  it('a tenant without a scope gets the probes only, and the reason; a scope elsewhere reads nothing of this registry', async function () {
    const none = await resultFor('scope-none', 'armdenied', 'tenant-other');
    assert.match(none, /have given this team or chat no Azure scope to read/);
    assert.ok(!none.includes(LAB_SUBSCRIPTION), 'no subscription id on the card');
    await settled(() => auditOf('tenant-other').length > 0);
    assert.deepEqual(auditOf('tenant-other').map((a) => [a.check, a.result]), [['arm.registry', 'not-read']]);

    const elsewhere = await resultFor('scope-dns', 'armdenied', 'tenant-dns', '19:dns@thread.tacv2');
    assert.ok(!elsewhere.includes(LAB_SUBSCRIPTION), 'no subscription id on the card');
    assert.doesNotMatch(elsewhere, /\b(Premium|Standard|Basic) in /, 'nothing of the registry read (its SKU and region)');
    await settled(() => auditOf('tenant-dns').some((a) => a.check === 'arm.registry'));
    assert.deepEqual(auditOf('tenant-dns').filter((a) => a.check === 'arm.registry').map((a) => a.result), ['not-found']);
    // The same tenant in another channel has no rule at all.
    await resultFor('scope-dns-other', 'armdenied', 'tenant-dns', '19:general@thread.tacv2');
    await settled(() => auditOf('tenant-dns').some((a) => a.result === 'not-read'));
    assert.equal(auditOf('tenant-dns').filter((a) => a.check === 'arm.registry' && a.result === 'not-read').length, 1);
  });
});
