/**
 * The failing machine's view in the conversation: the real bot and the real `acr-check --send` on
 * the lab. The client pins a stale address in its hosts file; the bot resolves the registry through
 * DNS: the card shows where the two differ. Then the refusals: a reused code, an expired one, a code
 * of another conversation, a malformed and an oversized report, a flood.
 */
import assert from 'node:assert/strict';
import { registryId } from './fake-arm.js';
import type { ChildProcess } from 'node:child_process';
import { request } from 'undici';
import { LAB_ADDRESSES as A } from './addresses.js';
import { activity, cardOf, cardText, postTo, said, startLabBot } from './bot-client.js';
import { startConnectorStub, type Sent } from './connector-stub.js';
import { assertIsolated } from './isolation.js';
import { runCli } from './run-cli.js';
import { SCENARIOS, worldFor } from './scenarios.js';
import { startLabWorld, type LabWorld } from './world.js';
import { assertValidCard } from '../helpers/validate-card.js';
import { sampleReport, DENIED_EVIDENCE } from '../helpers/sample-report.js';

const CODE = /\b[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}\b/;

describe('lab: the report from the failing machine, beside the bot view', function () {
  this.timeout(120_000);
  let lab: LabWorld;
  let connector: Awaited<ReturnType<typeof startConnectorStub>>;
  const bots: ChildProcess[] = [];
  const stale = SCENARIOS.find((s) => s.registry === 'stalereg')!;

  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
    connector = await startConnectorStub();
  });

  after(async function () {
    for (const bot of bots) bot.kill('SIGTERM');
    await connector?.close();
    await lab?.stop();
  });

  async function startBot(port: number, env: Record<string, string> = {}): Promise<string> {
    const url = `http://127.0.0.1:${port}`;
    bots.push((await startLabBot(lab.pki.caPath, port, { BOT_PUBLIC_URL: url, DIAGNOSIS_BUDGET_MS: '4000', ...env })).child);
    return url;
  }

  const inConversation = (conversation: string): Sent[] => connector.sent.filter((s) => s.conversation === conversation);

  /** A diagnosis in the conversation, then "Run it from the failing machine": the code and the card. */
  async function codeFor(port: number, conversation: string, registry = 'stalereg'): Promise<{ code: string; card: Record<string, unknown> }> {
    await postTo(port, activity(conversation, { text: `acr-check ${registry}` }, connector.url));
    await connector.waitFor(() => inConversation(conversation).some((s) => s.method === 'PUT' && /HEALTHY|PROBLEM/.test(said(s))));
    const result = cardOf(inConversation(conversation).filter((s) => s.method === 'PUT').pop()!)!;
    const handover = (result.actions as { data?: Record<string, string> }[]).find((a) => a.data?.verb === 'handover')!.data!;
    const before = inConversation(conversation).length;
    await postTo(port, activity(conversation, { value: handover }, connector.url));
    await connector.waitFor(() => inConversation(conversation).slice(before).some((s) => CODE.test(said(s))));
    const card = cardOf(inConversation(conversation).slice(before).find((s) => CODE.test(said(s)))!)!;
    return { code: CODE.exec(JSON.stringify(card))![0], card };
  }

  it('acr-check --send: the client card lands in its conversation, with where the views differ', async function () {
    const bot = await startBot(3981);
    const { code, card } = await codeFor(3981, 'ho-happy');
    assertValidCard(card);
    assert.ok(JSON.stringify(card).includes(`node acr-check.mjs stalereg --send ${bot} --code ${code}`));
    const other = await codeFor(3981, 'ho-other');
    const posted = (c: string): Sent[] => inConversation(c).filter((s) => /From the failing machine/.test(said(s)));

    const run = await runCli(['stalereg', '--send', bot, '--code', code], worldFor(stale, lab.pki.caPath));
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stdout, /PROBLEM: stalereg\.azurecr\.io/, 'the local result is still printed');
    assert.match(run.stderr, /Sent the report \([\d.]+ KB, diagnosis [0-9a-f-]{36}\) to http:\/\/127\.0\.0\.1:3981\/api\/reports: the bot posted it in the conversation/);
    await connector.waitFor(() => posted('ho-happy').length === 1);
    const clientCard = cardOf(posted('ho-happy')[0]!)!;
    assertValidCard(clientCard);
    const text = JSON.stringify(clientCard);
    assert.match(text, /Where the two views differ/);
    assert.ok(text.includes(A.stale) && text.includes(A.registry), `the stale pin there (${A.stale}) and DNS here (${A.registry})`);
    assert.match(text, /hosts/i);
    assert.equal(posted('ho-other').length, 0, 'nothing in another conversation');
    // Escalate on the client's card attaches the client's report.
    const escalate = (clientCard.actions as { data?: Record<string, string> }[]).find((a) => a.data?.verb === 'escalate')!.data!;
    const before = inConversation('ho-happy').length;
    await postTo(3981, activity('ho-happy', { value: escalate }, connector.url));
    await connector.waitFor(() => inConversation('ho-happy').slice(before).some((s) => /A title for the ticket.*The hosts file pins stalereg/s.test(said(s) + JSON.stringify(s.activity))));

    // The same code again: refused, nothing posted.
    const reused = await runCli(['stalereg', '--send', bot, '--code', code], worldFor(stale, lab.pki.caPath));
    assert.equal(reused.code, 4);
    assert.match(reused.stderr, /refused the report \(410\): this code was used already/);
    // The other conversation's code posts there, not here.
    const there = await runCli(['stalereg', '--send', bot, '--code', other.code, '--lang', 'ru'], worldFor(stale, lab.pki.caPath));
    assert.equal(there.code, 1, there.stderr);
    assert.match(there.stderr, /Отчёт .* отправлен/);
    await connector.waitFor(() => posted('ho-other').length === 1);
    assert.equal(posted('ho-happy').length, 1);
  });

  it('refuses an expired code, an unknown one, a report of another registry, a malformed and an oversized report', async function () {
    const bot = await startBot(3982, { HANDOVER_CODE_TTL_MS: '1500' });
    const expiring = await codeFor(3982, 'ho-expire');
    await new Promise((r) => setTimeout(r, 1600));
    const expired = await runCli(['stalereg', '--send', bot, '--code', expiring.code], worldFor(stale, lab.pki.caPath));
    assert.equal(expired.code, 4);
    assert.match(expired.stderr, /\(410\): this code has expired/);

    const upload = async (body: string): Promise<{ status: number; json: { error?: string; message?: string } }> => {
      const res = await request(`${bot}/api/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      const text = await res.body.text();
      return { status: res.statusCode, json: text ? (JSON.parse(text) as { error?: string }) : {} };
    };
    const valid = sampleReport(DENIED_EVIDENCE);
    assert.deepEqual((await upload(JSON.stringify({ code: 'ZZZZZ-ZZZZZ', report: valid }))).status, 401);

    // Fresh codes are short-lived here: each check takes its own.
    const fresh = await codeFor(3982, 'ho-bad');
    const malformed = await upload(JSON.stringify({ code: fresh.code, report: { ...valid, checks: 'all good' } }));
    assert.equal(malformed.status, 400);
    assert.equal(malformed.json.error, 'invalid-report');
    assert.match(malformed.json.message ?? '', /\/checks must be array/);
    assert.equal((await upload('{"code": "x", "report": ')).status, 400, 'not JSON');
    // 5,000 levels in 17 KB: refused for its shape before anything walks it, and the code stays good.
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const nested = await upload(`{"code": "${fresh.code}", "report": {"schemaVersion": 1, "checks": [{"data": {"x": ${deep}}}]}}`);
    assert.equal(nested.status, 400);
    assert.match(nested.json.message ?? '', /nested deeper than 16 levels/);
    const big = { ...valid, checks: Array.from({ length: 1500 }, () => valid.checks[0]!) };
    assert.ok(JSON.stringify(big).length > 256 * 1024);
    assert.equal((await upload(JSON.stringify({ code: fresh.code, report: big }))).status, 413);
    const otherRegistry = await upload(JSON.stringify({ code: fresh.code, report: valid }));
    assert.equal(otherRegistry.status, 400);
    assert.equal(otherRegistry.json.error, 'wrong-registry');
    // Its login server the code's, its resource id another registry's: the rules would fill that id into commands.
    const stalereg = { name: 'stalereg', loginServer: 'stalereg.azurecr.io' };
    const elsewhere = { ...valid, registry: { ...stalereg, resourceId: registryId('otherreg') } };
    const otherId = await upload(JSON.stringify({ code: fresh.code, report: elsewhere }));
    assert.equal(otherId.status, 400);
    assert.equal(otherId.json.error, 'wrong-registry');
    const factsElsewhere = await upload(JSON.stringify({ code: fresh.code, report: { ...valid, registry: stalereg, facts: { resourceId: registryId('otherreg') } } }));
    assert.equal(factsElsewhere.json.error, 'wrong-registry');
    assert.equal(inConversation('ho-bad').filter((s) => /From the failing machine/.test(said(s))).length, 0, 'nothing posted for any refusal');
  });

  it('an upload cannot replace the bot diagnosis, claim its ticket, or put links and bidi tricks on a card: what users see is what the rules decided', async function () {
    const bot = await startBot(3984);
    const { code } = await codeFor(3984, 'ho-forge');
    const mine = (): Sent[] => inConversation('ho-forge');
    const botResult = cardOf(mine().filter((s) => s.method === 'PUT').pop()!)!;
    const botDiagnosis = (botResult.actions as { data?: Record<string, string> }[]).find((a) => a.data?.verb === 'escalate')!.data!;
    const valid = sampleReport(DENIED_EVIDENCE);
    const link = '[Your session expired, sign in again](https://evil.example/login)';
    const forged = {
      ...valid,
      id: botDiagnosis.diagnosis,
      registry: { name: 'stalereg', loginServer: 'stalereg.azurecr.io' },
      client: { ...valid.client, hostname: 'aks-\u202Eexe.node' },
      findings: valid.findings.map((f) => ({ ...f, title: link, explanation: link })),
      checks: valid.checks.map((c) => ({ ...c, title: link, detail: `\u2066${link}\u2069` })),
    };
    const res = await request(`${bot}/api/reports`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, report: forged }) });
    assert.equal(res.statusCode, 200, await res.body.text());
    await connector.waitFor(() => mine().some((s) => /From the failing machine/.test(said(s))));
    const clientCard = cardOf(mine().find((s) => /From the failing machine/.test(said(s)))!)!;
    const shown = cardText(clientCard);
    assert.ok(!shown.includes('evil.example'), 'no text of the upload\'s own findings or check titles reaches the card');
    assert.ok(!/[\u202A-\u202E]/.test(shown), 'no bidi override reaches the card');
    assert.match(shown, /aks-exe\.node/, 'the hostname is shown, without its override');
    assert.match(shown, /203\.0\.113\.77/, 'the findings are the rules\' own, over the uploaded evidence');
    const clientEscalate = (clientCard.actions as { data?: Record<string, string> }[]).find((a) => a.data?.verb === 'escalate')!.data!;
    assert.notEqual(clientEscalate.diagnosis, botDiagnosis.diagnosis, 'the upload got an id of the bot\'s making');

    // Each Escalate button leads to its own diagnosis: the bot's is still the bot's, with its own ticket key.
    const summaryOf = async (button: Record<string, string>): Promise<{ text: string; key: string }> => {
      const say = async (body: Record<string, unknown>, expect: RegExp): Promise<Sent> => {
        const before = mine().length;
        assert.equal(await postTo(3984, activity('ho-forge', body, connector.url)), 200);
        await connector.waitFor(() => mine().slice(before).some((s) => expect.test(said(s))));
        return mine().slice(before).find((s) => expect.test(said(s)))!;
      };
      const asked = await say({ value: button }, /A title for the ticket/);
      assert.ok(!JSON.stringify(asked.activity).includes('evil.example'), 'the suggested title is not the upload\'s');
      await say({ text: 'stalereg: pulls fail from one node' }, /How severe is it\?/);
      await say({ text: 'moderate' }, /Your email address/);
      await say({ text: 'pe@contoso.com' }, /How should support contact you\?/);
      await say({ text: 'email' }, /Describe the problem/);
      const summary = await say({ text: 'Since 09:00 \u202Etxt.exe' }, /Review the ticket/);
      const card = cardOf(summary)!;
      const key = (card.actions as { data: { verb: string; escalation: string } }[]).find((a) => a.data.verb === 'escalation.confirm')!.data.escalation;
      await say({ value: { verb: 'escalation.cancel', escalation: key } }, /Not escalated/);
      return { text: cardText(card), key };
    };
    const fromClient = await summaryOf(clientEscalate);
    assert.ok(!fromClient.text.includes('evil.example'), 'the escalation attaches the rules\' re-run, not the upload\'s titles');
    assert.ok(!/[\u202A-\u202E]/.test(fromClient.text), 'what the user typed loses its bidi override too');
    assert.match(fromClient.text, /203\.0\.113\.77/);
    assert.match(fromClient.text, /failing machine/i);
    const fromBot = await summaryOf(botDiagnosis);
    assert.doesNotMatch(fromBot.text, /203\.0\.113\.77/, 'the bot\'s diagnosis was not replaced by the upload');
    assert.notEqual(fromBot.key, fromClient.key, 'ticket keys are namespaced by vantage');
  });

  it('a code is used up only when the card is posted: with the connector down, the upload gets 503 and the same code works later', async function () {
    const bot = await startBot(3985);
    const { code } = await codeFor(3985, 'ho-down');
    connector.down.add('ho-down');
    try {
      const refused = await runCli(['stalereg', '--send', bot, '--code', code], worldFor(stale, lab.pki.caPath));
      assert.equal(refused.code, 4, refused.stderr);
      assert.match(refused.stderr, /\(503\): the bot could not post it into the conversation just now; the code is still good/);
    } finally {
      connector.down.delete('ho-down');
    }
    const sent = await runCli(['stalereg', '--send', bot, '--code', code], worldFor(stale, lab.pki.caPath));
    assert.equal(sent.code, 1, sent.stderr);
    assert.match(sent.stderr, /the bot posted it in the conversation/);
    await connector.waitFor(() => inConversation('ho-down').some((s) => /From the failing machine/.test(said(s))));
  });

  it('a flood from one address gets 429 before its bodies are read, whatever it writes in X-Forwarded-For; other addresses go on', async function () {
    const bot = await startBot(3983, { REPORTS_PER_MINUTE: '3', TRUST_FORWARDED_FOR: '1' });
    // The trusted proxy appends the address it saw; whatever the client wrote before it is not believed.
    let spoof = 0;
    const from = async (address: string): Promise<number> => {
      const res = await request(`${bot}/api/reports`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${++spoof}, ${address}` }, body: JSON.stringify({ code: 'ZZZZZ-ZZZZZ', report: {} }) });
      if (res.statusCode === 429) assert.match(String(res.headers['retry-after']), /^\d+$/);
      await res.body.dump();
      return res.statusCode;
    };
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push(await from('198.51.100.1'));
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
    assert.equal(await from('198.51.100.2'), 401, 'another client behind the same proxy is not held back');
  });
});
