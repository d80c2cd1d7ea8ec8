/**
 * Escalation through the real bot: the whole dialog from a result card to a ticket, in a webhook
 * queue and in Azure support (the lab's fake ARM); a double submit; the queue down, then up; and
 * `kill -9` of the bot between sending and the acknowledgement, then a restart: one ticket each time.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAzurite } from './azurite.js';
import { activity, cardOf, cardText, postTo, said, startLabBot } from './bot-client.js';
import { startConnectorStub, type Sent } from './connector-stub.js';
import { LAB_SUBSCRIPTION, registryId } from './fake-arm.js';
import { NETWORKING_CLASSIFICATION } from './fake-support.js';
import { assertIsolated } from './isolation.js';
import { ARM_SCENARIOS, identityEnv, SCENARIOS } from './scenarios.js';
import { sendAgain, startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.js';
import { startLabWorld, type LabWorld } from './world.js';
import { assertValidCard } from '../helpers/validate-card.js';
import { eventually } from './eventually.js';

const SECRET = 'lab-webhook-secret-0123456789abcdef';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsYWItdXNlciJ9.c2lnbmF0dXJlLXNlY3JldA';

describe('lab: escalation to a support ticket', function () {
  this.timeout(120_000);
  let lab: LabWorld;
  let connector: Awaited<ReturnType<typeof startConnectorStub>>;
  let receiver: WebhookReceiver;
  const bots: ChildProcess[] = [];

  before(async function () {
    assertIsolated();
    lab = await startLabWorld([...SCENARIOS, ...ARM_SCENARIOS]);
    connector = await startConnectorStub();
    receiver = await startWebhookReceiver(SECRET);
  });

  after(async function () {
    for (const bot of bots) bot.kill('SIGKILL');
    await connector?.close();
    await receiver?.close();
    await lab?.stop();
  });

  const webhook = (): Record<string, string> => ({ TICKET_SINK: 'webhook', TICKET_WEBHOOK_URL: receiver.url, TICKET_WEBHOOK_SECRET: SECRET });
  const azure = { TICKET_SINK: 'azure', SUPPORT_POLL_INTERVAL_MS: '100' };

  async function startBot(port: number, env: Record<string, string>, dataDir = mkdtempSync(path.join(os.tmpdir(), 'acr-bot-data-'))): Promise<{ bot: ChildProcess; dataDir: string; log: () => string }> {
    const { child: bot, log } = await startLabBot(lab.pki.caPath, port, { DATA_DIR: dataDir, TICKET_RETRY_FIRST_MS: '300', DIAGNOSIS_BUDGET_MS: '4000', ...identityEnv('allowed'), ...env });
    bots.push(bot);
    return { bot, dataDir, log };
  }

  /** One user in one conversation: each message waits for the reply it expects. */
  function user(port: number, conversation: string) {
    const mine = (): Sent[] => connector.sent.filter((s) => s.conversation === conversation);
    return {
      mine,
      async say(message: string | Record<string, unknown>, expect: RegExp, fields: Record<string, unknown> = {}): Promise<Sent> {
        const before = mine().length;
        const body = typeof message === 'string' ? { text: message } : { value: message };
        assert.ok([200, 201, 202].includes(await postTo(port, activity(conversation, { ...body, ...fields }, connector.url))));
        await connector.waitFor(() => mine().slice(before).some((s) => expect.test(said(s))));
        return mine().slice(before).find((s) => expect.test(said(s)))!;
      },
      /** Runs a diagnosis and answers the escalation dialog up to the summary card; the summary's data. */
      async escalateUpToSummary(registry: string, description: string, severity = 'critical'): Promise<{ key: string; diagnosis: string }> {
        const before = mine().length;
        await this.say(`/acr-check ${registry}`, /Checking/);
        // This diagnosis's result, not an earlier one of the conversation.
        await connector.waitFor(() => mine().slice(before).some((s) => s.method === 'PUT' && /PROBLEM/.test(said(s))));
        const result = cardOf(mine().slice(before).filter((s) => s.method === 'PUT' && /PROBLEM/.test(said(s))).pop()!)!;
        const escalate = (result.actions as { data?: { verb?: string; diagnosis?: string; registry?: string } }[]).find((a) => a.data?.verb === 'escalate')!.data!;
        await this.say(escalate, /A title for the ticket/);
        await this.say(`${registry}: pulls denied from AKS`, /How severe is it\?/);
        await this.say(severity, /Your email address/);
        await this.say('pe@contoso.com', /How should support contact you\?/);
        await this.say('email', /Describe the problem/);
        const summary = await this.say(description, /Review the ticket/);
        assertValidCard(cardOf(summary));
        const confirm = (cardOf(summary)!.actions as { data: { verb: string; escalation: string } }[]).find((a) => a.data.verb === 'escalation.confirm')!.data;
        return { key: confirm.escalation, diagnosis: escalate.diagnosis! };
      },
    };
  }

  it('the whole dialog, from the result card to a ticket in the webhook queue: signed, the diagnosis attached, no secrets', async function () {
    const started = await startBot(3991, webhook());
    const pe = user(3991, 'esc-webhook');
    const { key, diagnosis } = await pe.escalateUpToSummary('armdenied', `Since 09:00. docker login -p ${JWT} fails; storage DefaultEndpointsProtocol=https;AccountName=labacct;AccountKey=c2VjcmV0LWtleS12YWx1ZQ==;`);
    const created = await pe.say({ verb: 'escalation.confirm', escalation: key }, /Ticket INC\d+ created/);
    assertValidCard(cardOf(created));
    assert.match(cardText(cardOf(created)), /https:\/\/tickets\.lab\.example\/INC/);
    const ticket = receiver.tickets.find((t) => t.key === key)!;
    assert.ok(receiver.requests.every((r) => r.signed), 'every request carries a valid HMAC signature');
    assert.equal((ticket.body.report as { id: string }).id, diagnosis, 'the diagnosis escalated is the one on the card');
    assert.equal(ticket.body.subscriptionId, LAB_SUBSCRIPTION, 'prefilled from the registry');
    assert.match(String(ticket.body.description), /ip-not-in-rules|public-network-rules/);
    assert.match(String(ticket.body.description), /az acr network-rule add --name armdenied/);
    assert.match(String(ticket.body.description), /Checks that did not pass:/);
    const sent = JSON.stringify(ticket.body);
    assert.ok(!sent.includes(JWT) && !sent.includes('c2VjcmV0LWtleS12YWx1ZQ'), 'secrets are redacted');
    assert.match(sent, /AccountKey=\[REDACTED\]/);

    // The bot's own requests, captured and sent again changed: a lookup for another key, the POST
    // under a new Idempotency-Key. Both refused (the signature covers path and key): no second ticket.
    const lookup = receiver.requests.find((r) => r.method === 'GET' && r.key === key)!;
    const post = receiver.requests.find((r) => r.method === 'POST' && r.key === key)!;
    const otherKey = 'acr-doctor-00000000000000000000000000000000';
    const tickets = receiver.tickets.length;
    assert.equal((await sendAgain(receiver, { ...lookup, path: `/tickets/${otherKey}`, key: otherKey })).status, 401);
    assert.equal((await sendAgain(receiver, { ...post, key: otherKey })).status, 401);
    assert.equal(receiver.tickets.length, tickets);

    // Audited: who escalated which registry, in which subscription, to which sink; never a token.
    await eventually(() => started.log().includes('"audit":"ticket"'), () => `no ticket audit line in:\n${started.log()}`);
    const audit = started.log().split('\n').find((line) => line.includes('"audit":"ticket"'));
    assert.ok(audit, started.log());
    assert.match(audit, new RegExp(`"registry":"armdenied.azurecr.io".*"subscription":"${LAB_SUBSCRIPTION}".*"sink":"webhook".*"state":"created"`));
    assert.match(started.log(), /"audit":"arm-read".*"check":"arm.registry".*"result":"read"/);
    assert.doesNotMatch(started.log(), /eyJ[\w-]{10,}\./, 'no token in the log');
  });

  it('a double submit (the confirm pressed twice at once) makes one ticket, and both answers name it', async function () {
    await startBot(3992, webhook());
    const pe = user(3992, 'esc-double');
    const { key } = await pe.escalateUpToSummary('armdenied', 'Pressed twice.');
    const before = pe.mine().length;
    await Promise.all([0, 1].map(() => postTo(3992, activity('esc-double', { value: { verb: 'escalation.confirm', escalation: key } }, connector.url))));
    await connector.waitFor(() => pe.mine().slice(before).filter((s) => /INC\d+/.test(said(s))).length >= 2);
    const ids = new Set(pe.mine().slice(before).flatMap((s) => said(s).match(/INC\d+/g) ?? []));
    assert.equal(ids.size, 1, `one ticket id in every answer: ${[...ids].join(', ')}`);
    assert.ok(!pe.mine().some((s) => /something went wrong/.test(said(s))), 'no apology for the second click');
    assert.equal(receiver.tickets.filter((t) => t.key === key).length, 1);
    // And pressed once more, long after: the same ticket again, nothing sent.
    const posts = receiver.requests.filter((r) => r.method === 'POST').length;
    await pe.say({ verb: 'escalation.confirm', escalation: key }, new RegExp([...ids][0]!));
    assert.equal(receiver.requests.filter((r) => r.method === 'POST').length, posts);
  });

  it('the queue down: the user is told it is pending, then, when it is back, that the ticket was created', async function () {
    await startBot(3993, webhook());
    const pe = user(3993, 'esc-down');
    const { key } = await pe.escalateUpToSummary('armdenied', 'Queue down.');
    receiver.mode = 'down';
    try {
      await pe.say({ verb: 'escalation.confirm', escalation: key }, /Ticket pending: the ticket system \(webhook\) did not answer/);
    } finally {
      receiver.mode = 'ok';
    }
    await connector.waitFor(() => pe.mine().some((s) => s.method === 'POST' && /Ticket INC\d+ created/.test(said(s))));
    assert.equal(receiver.tickets.filter((t) => t.key === key).length, 1);
  });

  it('kill -9 between send and acknowledgement, restart: exactly one ticket, and the user told', async function () {
    const first = await startBot(3994, webhook());
    const pe = user(3994, 'esc-kill');
    const { key } = await pe.escalateUpToSummary('armdenied', 'Killed mid-send.');
    receiver.mode = 'slow'; // the ticket is made, the answer never arrives in time
    try {
      // Not awaited: the turn is still sending when the bot dies.
      const turn = postTo(3994, activity('esc-kill', { value: { verb: 'escalation.confirm', escalation: key } }, connector.url)).catch(() => 0);
      await connector.waitFor(() => receiver.tickets.some((t) => t.key === key));
      first.bot.kill('SIGKILL');
      await new Promise((resolve) => first.bot.once('exit', resolve));
      await turn;
    } finally {
      receiver.mode = 'ok';
    }
    const restarted = await startBot(3994, webhook(), first.dataDir);
    await connector.waitFor(() => pe.mine().some((s) => s.method === 'POST' && /Ticket INC\d+ created/.test(said(s))));
    assert.match(restarted.log(), /resuming escalations left pending/);
    assert.equal(receiver.tickets.filter((t) => t.key === key).length, 1);
  });

  it('two bot instances (shared Blob state, separate outboxes) confirming at once: one ticket, and a late confirmation on the other instance names it', async function () {
    const azurite = await startAzurite(10_000);
    try {
      const shared = { ...webhook(), BOT_STORAGE_CONNECTION_STRING: azurite.connectionString };
      await startBot(3996, shared);
      await startBot(3997, shared);
      // No warm-up: B's cold first turn may well come after A has finished the dialog; B then asks the sink.
      const onA = user(3996, 'esc-two');
      const { key } = await onA.escalateUpToSummary('armdenied', 'Two instances behind a load balancer.');
      const before = onA.mine().length;
      await Promise.all([3996, 3997].map((port) => postTo(port, activity('esc-two', { value: { verb: 'escalation.confirm', escalation: key } }, connector.url))));
      await connector.waitFor(() => onA.mine().slice(before).filter((s) => /INC\d+/.test(said(s))).length >= 2);
      assert.equal(receiver.tickets.filter((t) => t.key === key).length, 1);
      assert.equal(new Set(onA.mine().slice(before).flatMap((s) => said(s).match(/INC\d+/g) ?? [])).size, 1);
      // Pressed again later, on the instance whose outbox never saw it: the ticket, from the queue.
      const ticket = receiver.tickets.find((t) => t.key === key)!;
      const late = await user(3997, 'esc-two').say({ verb: 'escalation.confirm', escalation: key }, /INC\d+|Not escalated/);
      assert.match(said(late), new RegExp(`Ticket ${ticket.id} created`));
      assert.match(said(late), /escalated already/);
      assert.equal(receiver.tickets.filter((t) => t.key === key).length, 1);
      // A key of no diagnosis of this conversation is not looked up: the neutral answer.
      await user(3997, 'esc-two-other').say({ verb: 'escalation.confirm', escalation: key }, /Not escalated/);
    } finally {
      azurite.close();
    }
  });

  it('one user may open ESCALATIONS_PER_USER_PER_HOUR escalations an hour: the next is refused with when to try again, and nothing is filed', async function () {
    await startBot(3998, { ...webhook(), ESCALATIONS_PER_USER_PER_HOUR: '1' });
    const pe = user(3998, 'esc-limit');
    const first = await pe.escalateUpToSummary('armdenied', 'The first one.');
    await pe.say({ verb: 'escalation.confirm', escalation: first.key }, /Ticket INC\d+ created/);
    // The same one confirmed again is its ticket, not a new escalation.
    await pe.say({ verb: 'escalation.confirm', escalation: first.key }, /INC\d+/);
    const second = await pe.escalateUpToSummary('armdenied', 'A second one within the hour.');
    const refused = await pe.say({ verb: 'escalation.confirm', escalation: second.key }, /escalations in the last hour/);
    assert.match(said(refused), /You have opened 1 escalations in the last hour.*try again in \d+ min/);
    assert.equal(receiver.tickets.filter((t) => t.key === second.key).length, 0);
  });

  it('Azure support: the ticket filed in the Container Registry networking category, with the report; kill -9 mid-create makes no second', async function () {
    const first = await startBot(3995, azure);
    const pe = user(3995, 'esc-azure');
    const { key } = await pe.escalateUpToSummary('armdenied', 'Filed with Azure support.', 'moderate');
    const created = await pe.say({ verb: 'escalation.confirm', escalation: key }, /Ticket \d+ created/);
    assert.match(cardText(cardOf(created)), new RegExp(`#resource/subscriptions/${LAB_SUBSCRIPTION}/providers/Microsoft.Support/supportTickets/${key}`));
    const ticket = lab.arm.support.tickets.get(key)!;
    assert.equal(ticket.properties.problemClassificationId, NETWORKING_CLASSIFICATION);
    assert.equal(ticket.properties.severity, 'moderate');
    assert.deepEqual(ticket.properties.technicalTicketDetails, { resourceId: registryId('armdenied') });
    assert.match(String(ticket.properties.description), /--- Report \(JSON, acr-doctor schema v1\)\n\{"schemaVersion":1/);

    // A second diagnosis; the create operation hangs, the bot is killed, the operation finishes.
    const again = user(3995, 'esc-azure-kill');
    const second = await again.escalateUpToSummary('armdenied', 'Killed while Azure was creating it.', 'minimal');
    lab.arm.support.hangOperations = true;
    try {
      const turn = postTo(3995, activity('esc-azure-kill', { value: { verb: 'escalation.confirm', escalation: second.key } }, connector.url)).catch(() => 0);
      await connector.waitFor(() => lab.arm.support.tickets.has(second.key));
      first.bot.kill('SIGKILL');
      await new Promise((resolve) => first.bot.once('exit', resolve));
      await turn;
    } finally {
      lab.arm.support.hangOperations = false;
    }
    await startBot(3995, azure, first.dataDir);
    await connector.waitFor(() => again.mine().some((s) => s.method === 'POST' && /Ticket \d+ created/.test(said(s))));
    assert.deepEqual(lab.arm.support.puts.filter((name) => name === second.key), [second.key], 'asked first, so never created twice');
  });
});
