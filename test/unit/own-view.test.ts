import assert from 'node:assert/strict';
import type { Diagnosis } from '../../src/escalation/diagnosis.js';
import { clientCardFor, OWN_VIEW_VERB, parseOwnView, resultCardFor, sharedConversation, withoutArmProgress } from '../../src/bot/own-view.js';
import { clientView, decidedClientReport } from '../../src/engine/report/vantages.js';
import type { Report } from '../../src/engine/report/types.js';
import { DENIED_EVIDENCE, sampleReport } from '../helpers/sample-report.js';
import { assertValidCard } from '../helpers/validate-card.js';

const SUBSCRIPTION = '0b1f6471-1bf0-4dda-aec3-111122223333';
const RESOURCE_ID = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-secret/providers/Microsoft.ContainerRegistry/registries/myregistry`;
const DOWNLOAD = { botUrl: 'https://bot.example', image: 'node:20' };
const CHANNEL = { id: '19:team@thread.tacv2', conversationType: 'channel' };
const PERSONAL = { id: 'a:1', conversationType: 'personal' };
const ALICE = { objectId: 'oid-alice', id: '29:alice' };
const BOB = { objectId: 'oid-bob', id: '29:bob' };

/** A bot diagnosis whose Azure part alice read with her own rights: the rules decided with what ARM said. */
function readByAlice(): Diagnosis {
  const probes = sampleReport(DENIED_EVIDENCE);
  const read: Report = {
    ...probes,
    facts: { resourceId: RESOURCE_ID, defaultAction: 'Deny', ipRules: ['198.51.100.0/24'], publicNetworkAccess: 'Enabled', sku: 'Premium' },
    checks: [...probes.checks, { id: 'arm.registry', title: 'ARM', status: 'pass', outcome: 'arm.registry.ok', durationMs: 5, detail: 'Premium', data: { id: RESOURCE_ID, sku: 'Premium', location: 'westeurope', publicNetworkAccess: 'Enabled' } }],
  };
  return { report: decidedClientReport(read, clientView(read, 'en'), 'en', read.id), vantage: 'bot', readBy: ALICE.objectId, readerId: ALICE.id };
}

const text = (card: unknown): string => JSON.stringify(card);
/** What only ARM told: the registry's IP rules, its SKU and region. */
const holdsFacts = (card: unknown): boolean => text(card).includes('198.51.100.0/24') || text(card).includes('westeurope') || text(card).includes(SUBSCRIPTION);
const refreshOf = (card: Record<string, unknown>): { action: { verb: string; data: unknown }; userIds: string[] } | undefined => card.refresh as never;

describe('own views: what Azure showed one person, in a conversation others read', function () {
  it('knows a channel and a group chat from a personal chat', function () {
    assert.equal(sharedConversation(CHANNEL), true);
    assert.equal(sharedConversation({ id: 'g', conversationType: 'groupChat' }), true);
    assert.equal(sharedConversation({ id: 'g', isGroup: true }), true);
    assert.equal(sharedConversation(PERSONAL), false);
    assert.equal(sharedConversation({ id: 'emulator' }), false);
  });

  it('the card posted in a channel has the network checks only, and Teams re-makes it for the reader alone', function () {
    const diagnosis = readByAlice();
    assert.ok(holdsFacts(resultCardFor(diagnosis, PERSONAL, DOWNLOAD, 'post')), 'the full card shows what ARM said (else this test proves nothing)');
    const posted = resultCardFor(diagnosis, CHANNEL, DOWNLOAD, 'post');
    assertValidCard(posted);
    assert.ok(!holdsFacts(posted), 'no IP rule, region or subscription in the card everyone sees');
    assert.match(text(posted), /shown only to them/);
    assert.deepEqual(refreshOf(posted), { action: { type: 'Action.Execute', verb: OWN_VIEW_VERB, data: { diagnosis: diagnosis.report.id } }, userIds: [ALICE.id] });
  });

  it('refreshed, the reader gets her view and anyone else the shared one', function () {
    const diagnosis = readByAlice();
    const hers = resultCardFor(diagnosis, CHANNEL, DOWNLOAD, ALICE);
    assertValidCard(hers);
    assert.ok(holdsFacts(hers));
    assert.match(text(hers), /Only you see/);
    assert.deepEqual(refreshOf(hers)?.userIds, [ALICE.id], 'her view refreshes again for her');
    const his = resultCardFor(diagnosis, CHANNEL, DOWNLOAD, BOB);
    assert.ok(!holdsFacts(his));
    assert.ok(!holdsFacts(resultCardFor(diagnosis, CHANNEL, DOWNLOAD, {})), 'a viewer without an Entra id is not the reader');
  });

  it('in a personal chat, and with the bot\'s own rights, the card is posted whole, with no refresh', function () {
    const diagnosis = readByAlice();
    const personal = resultCardFor(diagnosis, PERSONAL, DOWNLOAD, 'post');
    assert.ok(holdsFacts(personal));
    assert.equal(personal.refresh, undefined);
    const byTheBot: Diagnosis = { report: diagnosis.report, vantage: 'bot' };
    const scoped = resultCardFor(byTheBot, CHANNEL, DOWNLOAD, 'post');
    assert.ok(holdsFacts(scoped), 'ARM_SCOPES let this channel read it');
    assert.equal(scoped.refresh, undefined);
  });

  it('a client\'s report is compared in the channel with the bot\'s diagnosis as everyone may see it; the reader gets the whole comparison', function () {
    const bot = readByAlice();
    const client: Report = { ...sampleReport(DENIED_EVIDENCE), id: 'client-1', facts: {} };
    const posted = clientCardFor(client, bot, CHANNEL, 'post');
    assertValidCard(posted);
    assert.ok(!holdsFacts(posted));
    assert.deepEqual(refreshOf(posted)?.action.data, { diagnosis: bot.report.id, client: 'client-1' });
    assert.deepEqual(refreshOf(posted)?.userIds, [ALICE.id]);
    assert.ok(holdsFacts(clientCardFor(client, bot, CHANNEL, ALICE)), 'the reader\'s comparison uses what Azure showed her');
    assert.ok(!holdsFacts(clientCardFor(client, bot, CHANNEL, BOB)));
  });

  it('takes only its own refresh, with ids of our shape', function () {
    assert.deepEqual(parseOwnView({ action: { type: 'Action.Execute', verb: OWN_VIEW_VERB, data: { diagnosis: 'd-1', client: 'c-1' } }, trigger: 'automatic' }), { diagnosis: 'd-1', client: 'c-1' });
    for (const value of [undefined, null, 'x', {}, { action: { verb: 'other', data: { diagnosis: 'd' } } }, { action: { verb: OWN_VIEW_VERB } }, { action: { verb: OWN_VIEW_VERB, data: { diagnosis: 7 } } }, { action: { verb: OWN_VIEW_VERB, data: { diagnosis: 'a b' } } }, { action: { verb: OWN_VIEW_VERB, data: { diagnosis: 'd', client: ['c'] } } }, { action: { verb: OWN_VIEW_VERB, data: { diagnosis: 'x'.repeat(101) } } }]) {
      assert.equal(parseOwnView(value), undefined, JSON.stringify(value));
    }
  });

  it('the progress card others read shows neither the Azure checks nor the data endpoints Azure named', function () {
    const ref = (id: string, kind: string) => ({ id, kind, data: {} });
    const shown = withoutArmProgress({
      planned: [ref('dns.system', 'dns.system'), ref('arm.registry', 'arm.registry'), ref('data:r.westeurope.data.azurecr.io', 'data')],
      running: [ref('arm.private-dns', 'arm.private-dns')],
      done: [{ ...ref('tcp:20.45.122.144', 'tcp'), status: 'pass', outcome: 'tcp.ok', durationMs: 3 }],
    });
    assert.deepEqual(shown.planned.map((c) => c.id), ['dns.system']);
    assert.deepEqual(shown.running, []);
    assert.deepEqual(shown.done.map((c) => c.id), ['tcp:20.45.122.144']);
  });
});
