import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { Escalations, type Escalation } from '../../src/escalation/escalations.js';
import { writeJsonAtomic } from '../../src/escalation/json-files.js';
import { LocalTicketStore } from '../../src/escalation/sinks/local-store.js';
import { SinkError, type Ticket, type TicketRequest, type TicketSink } from '../../src/escalation/ticket.js';
import { sampleTicketRequest } from '../helpers/ticket-request.js';

/** A ticket system that can be down, answers slowly, and counts what it created. */
class FlakySink implements TicketSink {
  readonly kind = 'webhook';
  readonly severities = ['minimal', 'moderate', 'critical'] as const;
  readonly needsSubscription = false;
  readonly tickets = new Map<string, Ticket>();
  received: TicketRequest[] = [];
  failures = 0;
  permanent = false;
  delayMs = 0;

  /** The credential each delivery was made with (the asker's, when filed as them). */
  credentials: unknown[] = [];

  async deliver(request: TicketRequest, _signal?: AbortSignal, credential?: unknown): Promise<Ticket> {
    this.received.push(request);
    this.credentials.push(credential);
    await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failures > 0) {
      this.failures--;
      throw new SinkError('503 from the ticket system', this.permanent);
    }
    const existing = this.tickets.get(request.key);
    if (existing) return existing;
    const ticket: Ticket = { key: request.key, sink: 'webhook', id: `T-${this.tickets.size + 1}`, status: 'open', createdAt: new Date().toISOString() };
    this.tickets.set(request.key, ticket);
    return ticket;
  }

  async find(key: string): Promise<Ticket | undefined> {
    if (this.failures > 0) throw new SinkError('503 from the ticket system', false);
    return this.tickets.get(key);
  }
}

const quiet = pino({ level: 'silent' });
const readJsonFile = (file: string): { state: string; lastError: string } => JSON.parse(readFileSync(file, 'utf8')) as { state: string; lastError: string };

function outbox(sink: TicketSink, dir = mkdtempSync(path.join(os.tmpdir(), 'acr-outbox-')), answerWithinMs = 5000): { escalations: Escalations<string>; told: Escalation<string>[]; dir: string } {
  const told: Escalation<string>[] = [];
  const escalations = new Escalations<string>({ sink, dir, logger: quiet, notify: async (e) => void told.push(e), firstDelayMs: 20, maxDelayMs: 50, answerWithinMs });
  return { escalations, told, dir };
}

async function until(predicate: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('escalations: exactly one ticket per diagnosis, never silently lost', function () {
  it('a write that fails leaves no temporary file behind', async function () {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'acr-outbox-'));
    // A value that cannot be written (as a full disk would fail the write) after the temporary file was opened.
    await assert.rejects(writeJsonAtomic(path.join(dir, 'x.json'), { n: 1n }));
    assert.deepEqual(readdirSync(dir), []);
  });

  it('a key from card data that is not a ticket key names no file: `../x` reads nothing outside the outbox', async function () {
    const { escalations, dir } = outbox(new FlakySink());
    const outside = path.join(path.dirname(dir), 'x.json');
    writeFileSync(outside, JSON.stringify({ key: 'x', state: 'created' }));
    for (const key of ['../x', '..\\x', `../${path.basename(dir)}/../x`, 'acr-doctor-zz', '']) assert.equal(await escalations.find(key), undefined, key);
  });

  it('filed as the asker: their credential reaches the sink and is kept nowhere; after a restart the retry says to escalate again', async function () {
    const sink = new FlakySink();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'acr-outbox-'));
    const asker = { getToken: async () => ({ token: 'alice-arm-token', expiresOnTimestamp: Date.now() + 3_600_000 }) };
    const asUser = (): Escalations<string> => new Escalations<string>({ sink, dir, logger: quiet, notify: async () => undefined, firstDelayMs: 20, maxDelayMs: 50, asUser: true });
    const first = asUser();
    const created = await first.submit(sampleTicketRequest({ title: 'as alice' }), 'ref', async () => asker);
    assert.equal(created.state, 'created');
    assert.equal(sink.credentials.pop(), asker);
    assert.ok(!readdirSync(dir).some((f) => readFileSync(path.join(dir, f), 'utf8').includes('alice-arm-token')), 'no credential in the outbox');
    // The sink down, then the bot restarted: the pending escalation cannot be filed as anyone.
    sink.failures = 1;
    const pending = await first.submit(sampleTicketRequest({ title: 'as alice, later', key: 'acr-doctor-0123456789abcdef0123456789abcdee' }), 'ref', async () => asker);
    assert.equal(pending.state, 'pending');
    first.stop();
    const restarted = asUser();
    await restarted.start();
    await until(() => readJsonFile(path.join(dir, 'acr-doctor-0123456789abcdef0123456789abcdee.json')).state === 'failed');
    assert.match(readJsonFile(path.join(dir, 'acr-doctor-0123456789abcdef0123456789abcdee.json')).lastError, /press Escalate again/);
    restarted.stop();
  });

  it('a double submit (two clicks at once, or a retried turn) creates one ticket, and both see it', async function () {
    const sink = new FlakySink();
    sink.delayMs = 50;
    const { escalations } = outbox(sink);
    const request = sampleTicketRequest();
    const [a, b] = await Promise.all([escalations.submit(request, 'conv'), escalations.submit(request, 'conv')]);
    const c = await escalations.submit(request, 'conv');
    assert.equal(sink.tickets.size, 1);
    assert.equal(sink.received.length, 1, 'the second and third submit send nothing');
    assert.deepEqual([a.ticket?.id, b.ticket?.id, c.ticket?.id], ['T-1', 'T-1', 'T-1']);
  });

  it('a failed send is kept, retried with backoff, and the user told when it was created', async function () {
    const sink = new FlakySink();
    sink.failures = 2;
    const { escalations, told } = outbox(sink);
    const first = await escalations.submit(sampleTicketRequest(), 'conv-7');
    assert.equal(first.state, 'pending');
    assert.match(first.lastError ?? '', /503/);
    await until(() => told.length > 0);
    assert.equal(told[0]!.state, 'created');
    assert.equal(told[0]!.reference, 'conv-7', 'told in the conversation it came from');
    assert.equal(told[0]!.attempts, 3);
    assert.equal(sink.tickets.size, 1);
    escalations.stop();
  });

  it('a slow ticket system: the turn is answered "pending" in time, and the user told when it was created', async function () {
    const sink = new FlakySink();
    sink.delayMs = 300;
    const { escalations, told } = outbox(sink, undefined, 50);
    const answer = await escalations.submit(sampleTicketRequest(), 'conv-slow');
    assert.equal(answer.state, 'pending');
    assert.equal(told.length, 0);
    await until(() => told.length > 0);
    assert.equal(told[0]!.ticket?.id, 'T-1');
    assert.equal(sink.received.length, 1, 'no second send while the first is under way');
  });

  it('a refusal (permanent) is not retried; asked again later, it is tried again', async function () {
    const sink = new FlakySink();
    sink.failures = 1;
    sink.permanent = true;
    const { escalations } = outbox(sink);
    const failed = await escalations.submit(sampleTicketRequest(), 'conv');
    assert.equal(failed.state, 'failed');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(sink.received.length, 1, 'no retry of a refusal');
    const again = await escalations.submit(sampleTicketRequest(), 'conv');
    assert.equal(again.state, 'created');
  });

  it('after a crash with the escalation pending, a restart delivers it once and tells the user', async function () {
    const sink = new FlakySink();
    sink.failures = 1;
    const first = outbox(sink);
    assert.equal((await first.escalations.submit(sampleTicketRequest(), 'conv-9')).state, 'pending');
    first.escalations.stop(); // the process dies before its retry
    const restarted = outbox(sink, first.dir);
    assert.equal(await restarted.escalations.start(), 1);
    await until(() => restarted.told.length > 0);
    assert.equal(restarted.told[0]!.ticket?.id, 'T-1');
    assert.equal(sink.tickets.size, 1);
    restarted.escalations.stop();
  });

  it('no secret reaches the outbox or the ticket system', async function () {
    const sink = new FlakySink();
    const { escalations, dir } = outbox(sink);
    const request = sampleTicketRequest({ description: 'docker login -p eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl with DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0LWtleQ==;' });
    request.report.client.proxy = 'http://alice:hunter2@proxy.contoso.com:3128';
    const done = await escalations.submit(request, 'conv');
    const stored = readFileSync(path.join(dir, `${done.key}.json`), 'utf8');
    for (const text of [stored, JSON.stringify(sink.received[0])]) {
      assert.doesNotMatch(text, /eyJzdWIiOiJ4In0|c2VjcmV0LWtleQ|hunter2/);
      assert.match(text, /AccountKey=\[REDACTED\]/);
    }
  });

  it('the local store keeps one ticket per key, across processes', async function () {
    const store = new LocalTicketStore(mkdtempSync(path.join(os.tmpdir(), 'acr-tickets-')));
    const request = sampleTicketRequest();
    const tickets = await Promise.all([store.deliver(request), store.deliver(request), new LocalTicketStore(store.dir).deliver(request)]);
    assert.equal(new Set(tickets.map((t) => t.id)).size, 1);
    assert.match(tickets[0]!.id, /^ACR-\d{8}-[0-9A-F]{6}$/);
    assert.equal((await store.list()).length, 1);
  });
});
