import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ActivityTypes, MemoryStorage, TestAdapter, type Activity, type StoreItems } from 'botbuilder';
import { pino } from 'pino';
import { AcrDoctorBot } from '../../src/bot/acr-bot.js';
import { Escalations } from '../../src/escalation/escalations.js';
import { LocalTicketStore } from '../../src/escalation/sinks/local-store.js';

/** Memory storage where another instance always saved first. */
class LosingStorage extends MemoryStorage {
  override write(_changes: StoreItems): Promise<void> {
    return Promise.reject(new Error('Storage: error writing "x" due to eTag conflict.'));
  }
}

function bot(storage: MemoryStorage, warnings: string[]): AcrDoctorBot {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'acr-bot-'));
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
  return new AcrDoctorBot({
    diagnose: () => Promise.reject(new Error('not in this test')),
    azure: () => ({}),
    continueConversation: () => Promise.resolve(),
    logger,
    budgetMs: 1000,
    limits: { running: 4, waiting: 4, perConversation: 3 },
    armMode: 'bot',
    escalationPolicy: { severities: ['minimal'], subscriptions: [], perUserPerHour: 5 },
    allowedTenants: [],
    storage,
    escalations: new Escalations({ sink: new LocalTicketStore(path.join(dir, 'tickets')), dir: path.join(dir, 'outbox'), logger, notify: async () => undefined }),
    handover: { publicUrl: 'http://127.0.0.1:3978', ttlMs: 60_000 },
  });
}

describe('the bot and its conversation state', function () {
  it('a turn that loses the race to save its state (a double click) answers anyway, without an apology', async function () {
    const warnings: string[] = [];
    const acr = bot(new LosingStorage(), warnings);
    let failed: unknown;
    const adapter = new TestAdapter((context) => acr.run(context));
    adapter.onTurnError = async (_context, err) => void (failed = err);
    await adapter.send({ type: ActivityTypes.Message, text: 'help' }).assertReply((reply) => assert.equal(reply.attachments?.[0]?.contentType, 'application/vnd.microsoft.card.adaptive'));
    assert.equal(failed, undefined, 'no turn error, so no apology');
    assert.match(warnings.join(''), /changed by a concurrent turn/);
  });

  it('other storage failures still surface as turn errors', async function () {
    const broken = new (class extends MemoryStorage {
      override write(): Promise<void> {
        return Promise.reject(new Error('disk full'));
      }
    })();
    const acr = bot(broken, []);
    let failed: unknown;
    const adapter = new TestAdapter((context) => acr.run(context));
    adapter.onTurnError = async (_context, err) => void (failed = err);
    await adapter.send({ type: ActivityTypes.Message, text: 'help' });
    assert.match(String(failed), /disk full/);
  });

  it('welcomes once when added to a team, a chat or a personal scope, with the commands', async function () {
    this.timeout(10_000);
    const acr = bot(new MemoryStorage(), []);
    const adapter = new TestAdapter((context) => acr.run(context));
    const welcomes: string[] = [];
    const record = (reply: Partial<Activity>): void => void welcomes.push(JSON.stringify(reply.attachments?.[0]?.content ?? ''));
    const added: Partial<Activity> = { type: ActivityTypes.ConversationUpdate, membersAdded: [{ id: 'user-1', name: 'Ann' }, { id: 'bot', name: 'acr-doctor' }], recipient: { id: 'bot', name: 'acr-doctor' } };
    await adapter.send(added).assertReply(record);
    assert.match(welcomes[0]!, /Thanks for adding me/);
    assert.match(welcomes[0]!, /<registry> \[symptom words\]/, 'the help, <registry> included');
    // Teams also sends installationUpdate (add) for the same install: no second welcome.
    await adapter.send({ type: ActivityTypes.InstallationUpdate, action: 'add', recipient: { id: 'bot', name: 'acr-doctor' } }).assertNoReply();
    // Someone else joining later is not the bot being added.
    await adapter.send({ ...added, membersAdded: [{ id: 'user-2', name: 'Bo' }] }).assertNoReply();
  });

  it('welcomes on installationUpdate (add) alone, in the installer\'s language', async function () {
    const acr = bot(new MemoryStorage(), []);
    const adapter = new TestAdapter((context) => acr.run(context));
    await adapter.send({ type: ActivityTypes.InstallationUpdate, action: 'add', locale: 'ru-RU', recipient: { id: 'bot', name: 'acr-doctor' } }).assertReply((reply) => assert.match(JSON.stringify(reply.attachments?.[0]?.content), /Спасибо, что добавили меня/));
  });
});
