/** The real bot process in the lab: activities in over HTTP, cards out to a connector stub. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { request } from 'undici';
import { CLIENT_EGRESS_IP } from './addresses.js';
import { startAzurite } from './azurite.js';
import { MANAGED_IDENTITY_CLIENT_ID, startFakeImds } from './fake-imds.js';
import { startConnectorStub, type Sent } from './connector-stub.js';
import { assertIsolated } from './isolation.js';
import { waitForPort } from './oci-registry.js';
import { spawnInWorld } from './run-cli.js';
import { startLabWorld, type LabWorld } from './world.js';
import { activity, cardOf, cardText, postTo, said } from './bot-client.js';
import { assertValidCard } from '../helpers/validate-card.js';
import { outboxDir } from '../../src/escalation/sinks/choose.js';

const BOT_PORT = 3978;
const BOT = `http://127.0.0.1:${BOT_PORT}`;
describe('lab: the Teams bot', function () {
  let lab: LabWorld;
  let bot: ChildProcess;
  let connector: Awaited<ReturnType<typeof startConnectorStub>>;
  let botLog = '';
  /** The bot's own temporary folder: an upload must never land there. */
  let botTmp = '';

  before(async function () {
    assertIsolated();
    lab = await startLabWorld();
    connector = await startConnectorStub();
    botTmp = mkdtempSync(path.join(os.tmpdir(), 'acr-bot-tmp-'));
    bot = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, new URL('../../src/bot/start.js', import.meta.url).pathname], { PORT: String(BOT_PORT), HOST: '127.0.0.1', TMPDIR: botTmp });
    bot.stdout?.on('data', (c: Buffer) => (botLog += c.toString()));
    bot.stderr?.on('data', (c: Buffer) => (botLog += c.toString()));
    await waitForPort(BOT_PORT, '127.0.0.1', 15_000);
  });

  after(async function () {
    bot?.kill('SIGTERM');
    await connector?.close();
    await lab?.stop();
  });

  const post = (body: unknown): Promise<number> => postTo(BOT_PORT, body);

  it('answers /healthz and says in its log that it runs unauthenticated', async function () {
    const res = await request(`${BOT}/healthz`);
    assert.equal(res.statusCode, 200);
    assert.equal(((await res.body.json()) as { status: string }).status, 'ok');
    assert.match(botLog, /NOT authenticated/);
  });

  it('help: a help card', async function () {
    assert.ok([200, 201, 202].includes(await post(activity('conv-help', { text: 'help' }, connector.url))));
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-help'));
    const card = cardOf(connector.sent.find((x) => x.conversation === 'conv-help')!)!;
    assertValidCard(card);
    assert.match(cardText(card), /acr-check/);
  });

  it('/acr-check: a progress card at once, then the same card becomes the result with the fix', async function () {
    await post(activity('conv-denied', { text: '<at>acr-doctor</at> /acr-check deniedreg', entities: [{ type: 'mention', mentioned: { id: 'bot-1', name: 'acr-doctor' }, text: '<at>acr-doctor</at>' }] }, connector.url));
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-denied' && x.method === 'PUT' && /PROBLEM/.test(cardText(cardOf(x)))));
    const mine = connector.sent.filter((x) => x.conversation === 'conv-denied');
    assert.equal(mine[0]!.method, 'POST');
    assert.match(cardText(cardOf(mine[0]!)), /Checking deniedreg\.azurecr\.io/);
    const result = mine.filter((x) => x.method === 'PUT').pop()!;
    assert.equal(result.id, mine[0]!.id, 'the progress card is updated in place');
    const card = cardOf(result)!;
    assertValidCard(card);
    assert.ok(cardText(card).includes(`az acr network-rule add --name deniedreg --ip-address ${CLIENT_EGRESS_IP}`));
    for (const update of mine.slice(1)) assertValidCard(cardOf(update));
  });

  it('free text naming a registry and a symptom starts a diagnosis; a bad name gets the reason', async function () {
    await post(activity('conv-free', { text: "AKS can't pull from throttledreg" }, connector.url));
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-free' && /Too Many Requests|429/.test(cardText(cardOf(x)))));
    await post(activity('conv-bad', { text: 'acr-check https://evil.example' }, connector.url));
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-bad'));
    const refused = connector.sent.find((x) => x.conversation === 'conv-bad')!;
    // What the user typed comes back inside a card's text run, never as a markdown message.
    assert.equal(refused.activity.text ?? '', '');
    assert.match(cardText(cardOf(refused)), /is a URL/);
  });

  it('diagnose: asks only what it needs, then runs the diagnosis', async function () {
    const say = async (text: string, expect: RegExp): Promise<void> => {
      const before = connector.sent.length;
      await post(activity('conv-guided', { text }, connector.url));
      await connector.waitFor((s) => s.slice(before).some((x) => x.conversation === 'conv-guided' && expect.test(x.activity.text ?? cardText(cardOf(x)))));
    };
    await say('diagnose', /Which registry\?/);
    await say('deniedreg', /What do you see\?/);
    await say('4', /Where does the failing client run\?/);
    await say('1', /Checking deniedreg\.azurecr\.io/);
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-guided' && x.method === 'PUT' && /PROBLEM/.test(cardText(cardOf(x)))));
  });

  it('replies in Russian and Arabic (right to left) following the locale', async function () {
    await post(activity('conv-ar', { text: 'help', locale: 'ar-SA' }, connector.url));
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-ar'));
    const card = cardOf(connector.sent.find((x) => x.conversation === 'conv-ar')!)!;
    assert.equal(card.rtl, true);
    assert.equal(card.lang, 'ar');
    await post(activity('conv-ru', { text: 'acr-check abc', locale: 'ru-RU' }, connector.url));
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-ru'));
    assert.match(cardText(cardOf(connector.sent.find((x) => x.conversation === 'conv-ru')!)), /не имя реестра/);
  });

  it('as a managed identity (UserAssignedMSI, as deployed), a request without a Bot Framework token gets 401 and no reply; other tenants are refused', async function () {
    const port = BOT_PORT + 1;
    const secured = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, new URL('../../src/bot/start.js', import.meta.url).pathname], {
      PORT: String(port),
      MicrosoftAppId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      MicrosoftAppType: 'UserAssignedMSI',
      MicrosoftAppTenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      ALLOWED_TENANTS: '*',
    });
    let securedLog = '';
    secured.stdout?.on('data', (c: Buffer) => (securedLog += c.toString()));
    const tenantLocked = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, new URL('../../src/bot/start.js', import.meta.url).pathname], {
      PORT: String(port + 1),
      ALLOWED_TENANTS: 'tenant-allowed',
    });
    try {
      await waitForPort(port, '127.0.0.1', 15_000);
      await waitForPort(port + 1, '127.0.0.1', 15_000);
      const before = connector.sent.length;
      const res = await request(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('conv-noauth', { text: 'help' }, connector.url)) });
      await res.body.dump();
      assert.equal(res.statusCode, 401);
      const other = await request(`http://127.0.0.1:${port + 1}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('conv-tenant', { text: 'acr-check deniedreg', channelData: { tenant: { id: 'tenant-other' } } }, connector.url)) });
      await other.body.dump();
      await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-tenant'));
      assert.ok(!connector.sent.slice(before).some((x) => x.conversation === 'conv-noauth'), 'no reply without a token');
      const refused = connector.sent.filter((x) => x.conversation === 'conv-tenant');
      assert.equal(refused.length, 1);
      assert.match(refused[0]!.activity.text ?? '', /not available to your organisation/);
      assert.match(securedLog, /"authenticated":true/);
      assert.match(securedLog, /no BOT_PUBLIC_URL/, 'an authenticated bot that does not know its address says so at start-up');
    } finally {
      secured.kill('SIGTERM');
      tenantLocked.kill('SIGTERM');
    }
  });

  it('with Blob Storage (Azurite), a dialog begun on one instance continues on another', async function () {
    const azurite = await startAzurite(10_000);
    const start = new URL('../../src/bot/start.js', import.meta.url).pathname;
    const env = (port: number) => ({ PORT: String(port), BOT_STORAGE_CONNECTION_STRING: azurite.connectionString });
    const first = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, start], env(BOT_PORT + 10));
    const second = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, start], env(BOT_PORT + 11));
    try {
      await waitForPort(BOT_PORT + 10, '127.0.0.1', 15_000);
      await waitForPort(BOT_PORT + 11, '127.0.0.1', 15_000);
      const to = async (port: number, text: string): Promise<void> => {
        const res = await request(`http://127.0.0.1:${port}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('conv-shared', { text }, connector.url)) });
        await res.body.dump();
      };
      await to(BOT_PORT + 10, 'diagnose');
      await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-shared' && /Which registry\?/.test(x.activity.text ?? '')));
      await to(BOT_PORT + 11, 'deniedreg');
      await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-shared' && /What do you see\?/.test(x.activity.text ?? '')));
    } finally {
      first.kill('SIGTERM');
      second.kill('SIGTERM');
      azurite.close();
    }
  });

  it('in Azure: Blob state reached with the bot\'s managed identity (BOT_STORAGE_BLOB_URL, no key), shared by two instances', async function () {
    const imds = await startFakeImds();
    const azurite = await startAzurite(10_001, lab.pki.storage);
    const start = new URL('../../src/bot/start.js', import.meta.url).pathname;
    const env = (port: number) => ({ PORT: String(port), BOT_STORAGE_BLOB_URL: azurite.blobUrl, AZURE_CLIENT_ID: MANAGED_IDENTITY_CLIENT_ID, AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential' });
    const first = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, start], env(BOT_PORT + 12));
    const second = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, start], env(BOT_PORT + 13));
    let log = '';
    for (const child of [first, second]) child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    try {
      await waitForPort(BOT_PORT + 12, '127.0.0.1', 15_000);
      await waitForPort(BOT_PORT + 13, '127.0.0.1', 15_000);
      await postTo(BOT_PORT + 12, activity('conv-entra', { text: 'diagnose' }, connector.url));
      await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-entra' && /Which registry\?/.test(x.activity.text ?? '')));
      await postTo(BOT_PORT + 13, activity('conv-entra', { text: 'deniedreg' }, connector.url));
      await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-entra' && /What do you see\?/.test(x.activity.text ?? '')), 20_000).catch((err: unknown) => assert.fail(`${String(err)}\n${log}`));
      assert.match(log, /conversation state in Azure Blob Storage \(Entra identity\)/);
      assert.ok(imds.tokens() > 0, 'the tokens came from the managed identity');
    } finally {
      first.kill('SIGTERM');
      second.kill('SIGTERM');
      azurite.close();
      await imds.close();
    }
  });

  it('reads only JSON bodies sent as they are: multipart and compressed bodies get 415 before they are read, and nothing reaches the disk', async function () {
    const send = async (headers: Record<string, string>, body: Buffer | string): Promise<{ status: number; text: string }> => {
      const res = await request(`${BOT}/api/messages`, { method: 'POST', headers, body });
      return { status: res.statusCode, text: await res.body.text() };
    };
    const boundary = 'acrlab';
    const part = `--${boundary}\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n${'x'.repeat(64 * 1024)}\r\n--${boundary}--\r\n`;
    const multipart = await send({ 'content-type': `multipart/form-data; boundary=${boundary}` }, part);
    assert.equal(multipart.status, 415, multipart.text);
    assert.match(multipart.text, /application\/json/);
    assert.deepEqual(readdirSync(botTmp), [], 'nothing written to the temporary folder');
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
    const gzipped = await send({ 'content-type': 'application/json', 'content-encoding': 'gzip' }, bomb);
    assert.equal(gzipped.status, 415, gzipped.text);
    const form = await send({ 'content-type': 'application/x-www-form-urlencoded' }, 'type=message&text=acr-check+myregistry');
    assert.equal(form.status, 415, form.text);
  });

  it('an activity without a conversation is 400 with a short reason, never 500 or internal text', async function () {
    for (const body of [{ type: 'message', text: 'help' }, { type: 'message', conversation: {} }, [], 'null', { conversation: { id: 'c' } }]) {
      const res = await request(`${BOT}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
      const text = await res.body.text();
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${text}`);
      assert.doesNotMatch(text, /Cannot read|undefined|at \w+ \(/);
    }
  });

  it('local mode is local: a web page (Origin) gets 403, a serviceUrl off this machine gets 400, nothing is sent', async function () {
    const before = connector.sent.length;
    const fromPage = await request(`${BOT}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: JSON.stringify(activity('conv-page', { text: 'acr-check deniedreg' }, connector.url)) });
    assert.equal(fromPage.statusCode, 403, await fromPage.body.text());
    const elsewhere = await request(`${BOT}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('conv-far', { text: 'help' }, 'http://10.9.9.9:8080')) });
    assert.equal(elsewhere.statusCode, 400, await elsewhere.body.text());
    const playground = await request(`${BOT}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://localhost:56150' }, body: JSON.stringify(activity('conv-playground', { text: 'help' }, connector.url)) });
    await playground.body.dump();
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-playground'));
    assert.ok(!connector.sent.slice(before).some((x) => x.conversation === 'conv-page' || x.conversation === 'conv-far'), 'nothing sent for refused requests');
  });

  it('starts and serves with a damaged outbox file: the file is moved to quarantine, the log says so', async function () {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'acr-data-'));
    mkdirSync(outboxDir(dataDir), { recursive: true });
    writeFileSync(path.join(outboxDir(dataDir), 'acr-doctor-0123456789abcdef0123456789abcdef.json'), '{"key": "acr-doctor-01');
    const port = BOT_PORT + 6;
    const child = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, new URL('../../src/bot/start.js', import.meta.url).pathname], { PORT: String(port), DATA_DIR: dataDir });
    let log = '';
    child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
    try {
      await waitForPort(port, '127.0.0.1', 15_000);
      const health = await request(`http://127.0.0.1:${port}/healthz`);
      assert.equal(health.statusCode, 200, log);
      await health.body.dump();
      assert.deepEqual(readdirSync(path.join(outboxDir(dataDir), 'quarantine')), ['acr-doctor-0123456789abcdef0123456789abcdef.json']);
      assert.match(log, /moved to quarantine/);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses to start unauthenticated on a non-loopback HOST, authenticated without ALLOWED_TENANTS, or with a DATA_DIR it cannot write', async function () {
    const start = (env: Record<string, string>): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, new URL('../../src/bot/start.js', import.meta.url).pathname], { PORT: String(BOT_PORT + 5), ...env });
        let stderr = '';
        child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          resolve({ code, stderr });
        });
      });
    const open = await start({ HOST: '0.0.0.0' });
    assert.equal(open.code, 1);
    assert.match(open.stderr, /HOST=0\.0\.0\.0 without MicrosoftAppId/);
    const anyTenant = await start({ MicrosoftAppId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', MicrosoftAppPassword: 'x', MicrosoftAppType: 'MultiTenant' });
    assert.equal(anyTenant.code, 1);
    assert.match(anyTenant.stderr, /ALLOWED_TENANTS is required/);
    // A DATA_DIR that cannot be written is said at start-up (root ignores modes, so: a path under a file).
    const notADir = path.join(mkdtempSync(path.join(os.tmpdir(), 'acr-data-')), 'file');
    writeFileSync(notADir, '');
    const unwritable = await start({ DATA_DIR: path.join(notADir, 'data') });
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /DATA_DIR .* is not writable \(ENOTDIR\)/);
  });

  it('caps diagnoses: one conversation gets "already running", the bot past its places queues, past its waiting line says busy; the queued one still runs', async function () {
    const port = BOT_PORT + 7;
    const child = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, new URL('../../src/bot/start.js', import.meta.url).pathname], {
      PORT: String(port),
      DIAGNOSIS_BUDGET_MS: '2500',
      MAX_DIAGNOSES: '1',
      MAX_QUEUED_DIAGNOSES: '1',
      MAX_DIAGNOSES_PER_CONVERSATION: '1',
    });
    try {
      await waitForPort(port, '127.0.0.1', 15_000);
      const first = (conversation: string): Promise<Sent> =>
        connector.waitFor((s) => s.some((x) => x.conversation === conversation)).then(() => connector.sent.find((x) => x.conversation === conversation)!);
      // The resolver never answers timeoutreg: its diagnosis takes its whole budget.
      await postTo(port, activity('cap-a', { text: 'acr-check timeoutreg' }, connector.url));
      assert.match(cardText(cardOf(await first('cap-a'))), /Checking timeoutreg/);
      await postTo(port, activity('cap-b', { text: 'acr-check timeoutreg' }, connector.url));
      const queued = await first('cap-b');
      assertValidCard(cardOf(queued));
      assert.match(cardText(cardOf(queued)), /Queued: 1 diagnoses ahead/);
      await postTo(port, activity('cap-c', { text: 'acr-check deniedreg' }, connector.url));
      assert.match(cardText(cardOf(await first('cap-c'))), /busy with other diagnoses right now; try again in a minute/);
      const before = connector.sent.filter((x) => x.conversation === 'cap-a').length;
      await postTo(port, activity('cap-a', { text: 'acr-check deniedreg' }, connector.url));
      await connector.waitFor((s) => s.filter((x) => x.conversation === 'cap-a').length > before);
      assert.match(cardText(cardOf(connector.sent.filter((x) => x.conversation === 'cap-a')[before]!)), /1 diagnoses are already running in this conversation/);
      // The same registry again in the same conversation joins its run: no refusal.
      await postTo(port, activity('cap-a', { text: 'acr-check timeoutreg' }, connector.url));
      await connector.waitFor((s) => s.some((x) => x.conversation === 'cap-b' && x.method === 'PUT' && /PROBLEM/.test(cardText(cardOf(x)))), 20_000);
      const health = (await (await request(`http://127.0.0.1:${port}/healthz`)).body.json()) as { diagnosesRunning: number };
      assert.equal(health.diagnosesRunning, 0);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('cuts off slow clients: headers dribbled in get 408 within seconds, a body dribbled in is cut within the request timeout, not held for minutes', async function () {
    this.timeout(60_000);
    const dribble = (lines: string[], every: number): Promise<{ ms: number; answer: string }> =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        let answer = '';
        const socket = net.connect(BOT_PORT, '127.0.0.1');
        let i = 0;
        const timer = setInterval(() => {
          if (!socket.destroyed) socket.write(lines[Math.min(i++, lines.length - 1)]!);
        }, every);
        socket.on('data', (d: Buffer) => (answer += d.toString()));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(timer);
          resolve({ ms: Date.now() - started, answer: answer.split('\r\n')[0] ?? '' });
        });
        setTimeout(() => reject(new Error('still connected after 50 s')), 50_000).unref();
      });
    const body = JSON.stringify(activity('conv-slow', { text: 'help' }, connector.url));
    const [headers, slowBody] = await Promise.all([
      dribble(['POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n', 'X-Slow: 1\r\n'], 2000),
      dribble([`POST /api/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`, ' '], 2000),
    ]);
    assert.match(headers.answer, /408/);
    assert.ok(headers.ms < 15_000, `headers held ${headers.ms} ms`);
    assert.ok(slowBody.ms < 35_000, `body held ${slowBody.ms} ms`);
    assert.ok(!connector.sent.some((x) => x.conversation === 'conv-slow'));
  });

  it('card data is checked: ids in a shape our cards never write, or of another conversation, get one neutral answer and touch nothing', async function () {
    const answers = async (conversation: string, value: unknown): Promise<string> => {
      const before = connector.sent.length;
      assert.equal(await post(activity(conversation, { value }, connector.url)), 200);
      await connector.waitFor((s) => s.slice(before).some((x) => x.conversation === conversation));
      return said(connector.sent.slice(before).find((x) => x.conversation === conversation)!);
    };
    const stale = /This button does not apply here any more/;
    assert.match(await answers('conv-card-1', { verb: 'escalation.confirm', escalation: '../tickets/x' }), stale);
    assert.match(await answers('conv-card-1', { verb: 'escalation.confirm', escalation: 'acr-doctor-0123456789abcdef0123456789abcdef' }), /Not escalated/);
    assert.match(await answers('conv-card-2', { verb: 'escalate', diagnosis: '../../outbox/x' }), stale);
    assert.match(await answers('conv-card-3', { verb: 'handover', diagnosis: { $gt: '' } }), stale);
    assert.match(await answers('conv-card-4', { verb: 'delete-everything' }), stale);
    // A diagnosis of another conversation is no diagnosis here.
    await post(activity('conv-card-owner', { text: 'acr-check deniedreg' }, connector.url));
    await connector.waitFor((s) => s.some((x) => x.conversation === 'conv-card-owner' && x.method === 'PUT' && /PROBLEM/.test(cardText(cardOf(x)))));
    const owner = cardOf(connector.sent.filter((x) => x.conversation === 'conv-card-owner' && x.method === 'PUT').pop()!)!;
    const handover = (owner.actions as { data?: Record<string, string> }[]).find((a) => a.data?.verb === 'handover')!.data!;
    assert.match(await answers('conv-card-5', handover), /That diagnosis is no longer here/);
  });

  it('a connector that cannot be reached: one structured log line without the SDK error, and an answer without internal text', async function () {
    const before = botLog.length;
    const res = await request(`${BOT}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity('conv-no-connector', { text: 'help' }, 'http://127.0.0.1:9')) });
    const text = await res.body.text();
    assert.equal(res.statusCode, 502, text);
    assert.doesNotMatch(text, /ECONNREFUSED|at \w+ \(|Error:/);
    await new Promise((r) => setTimeout(r, 200));
    const lines = botLog.slice(before).split('\n').filter((l) => l.includes('conv-no-connector'));
    assert.ok(lines.length >= 1, botLog.slice(before));
    for (const line of lines) {
      const entry = JSON.parse(line) as { error?: { code?: string; message?: string; request?: unknown; stack?: unknown } };
      assert.equal(entry.error?.code, 'ECONNREFUSED', line);
      assert.equal(entry.error?.request, undefined, 'never the request (and its token)');
      assert.equal(entry.error?.stack, undefined);
    }
  });

  it('rejects malformed (400) and oversized (413) requests', async function () {
    assert.equal(await post('{"type": "message", '), 400);
    assert.equal(await post(JSON.stringify(activity('conv-big', { text: 'x'.repeat(300 * 1024) }, connector.url))), 413);
  });
});
