/**
 * The webhook sink against a receiver that checks what docs/tickets-webhook.md says to check, with
 * the bot's own sink code in its own process (test/lab/deliver-ticket.ts): requests captured from
 * it and sent again, changed, must be refused; and its deliveries take the proxy the environment
 * selects, or go direct where NO_PROXY says so.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signRequest } from '../../src/escalation/sinks/webhook-signature.js';
import { assertIsolated } from './isolation.js';
import { runInWorld, type CliRun } from './run-cli.js';
import { sendAgain, startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './webhook-receiver.js';

const SECRET = 'lab-webhook-secret-0123456789abcdef';
const DELIVER = fileURLToPath(new URL('./deliver-ticket.js', import.meta.url));
/** The receiver's name in the proxy tests: only the proxy can resolve it, unless a test maps it. */
const TICKETS_HOST = 'tickets.lab.example';

/** A certificate for `name` that is its own trust anchor: the delivering process is given it as its CA. */
function selfSignedCertificate(name: string): { key: string; cert: string; certPath: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'acr-lab-webhook-tls-'));
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`, '-keyout', keyPath, '-out', certPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath };
}

interface CountingProxy {
  url: string;
  /** Every CONNECT target asked for, in order. */
  connects: string[];
  close(): Promise<void>;
}

/** A forward proxy that tunnels `host:port` targets to loopback ports and answers 403 to any other. */
async function startCountingProxy(routes: Record<string, number>): Promise<CountingProxy> {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    track(client);
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      client.off('data', onData);
      client.pause();
      const target = /^CONNECT (\S+) HTTP\/1\.[01]\r\n/.exec(head)?.[1];
      if (target) connects.push(target);
      const port = target === undefined ? undefined : routes[target];
      if (port === undefined) return void client.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n');
      const upstream = net.connect(port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        client.pipe(upstream).pipe(client);
      });
      track(upstream);
      upstream.on('error', () => client.destroy());
    };
    client.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    connects,
    close: () => new Promise<void>((resolve) => (sockets.forEach((s) => s.destroy()), server.close(() => resolve()))),
  };
}

/** One ticket delivered by the bot's sink in its own process, with only this environment. */
function deliver(key: string, env: Record<string, string>, world: { caPath: string; hosts?: string[] }): Promise<CliRun> {
  return runInWorld({ ...world, env: { TICKET_SINK: 'webhook', TICKET_WEBHOOK_SECRET: SECRET, ...env } }, [process.execPath, DELIVER, key]);
}

function ticketOf(run: CliRun): { id: string; key: string } {
  assert.equal(run.code, 0, `delivered: ${run.stderr}`);
  return JSON.parse(run.stdout) as { id: string; key: string };
}

describe('lab: webhook tickets (signatures over the request, the proxy)', function () {
  this.timeout(60_000);
  const KEY_A = 'acr-doctor-lab-ticket-a';
  const KEY_B = 'acr-doctor-lab-ticket-b';
  let tls: ReturnType<typeof selfSignedCertificate>;
  let receiver: WebhookReceiver;
  let ticketA: { id: string };
  const captured = (method: string, key: string): ReceivedRequest => receiver.requests.find((r) => r.method === method && r.key === key)!;

  before(async function () {
    assertIsolated();
    tls = selfSignedCertificate(TICKETS_HOST);
    receiver = await startWebhookReceiver(SECRET);
    const world = { caPath: tls.certPath };
    ticketA = ticketOf(await deliver(KEY_A, { TICKET_WEBHOOK_URL: receiver.url }, world));
    ticketOf(await deliver(KEY_B, { TICKET_WEBHOOK_URL: receiver.url }, world));
    assert.deepEqual(receiver.requests.map((r) => [r.method, r.verdict]), [['GET', 'valid'], ['POST', 'valid'], ['GET', 'valid'], ['POST', 'valid']], 'the sink signs what the receiver checks');
  });

  after(async function () {
    await receiver?.close();
  });

  it('a lookup signature captured for one key opens no other key\'s ticket: 401', async function () {
    const lookupA = captured('GET', KEY_A);
    assert.equal((await sendAgain(receiver, lookupA)).status, 200, 'the same lookup again is harmless: it answers what it would answer the bot');
    const forB = await sendAgain(receiver, { ...lookupA, path: `/tickets/${KEY_B}`, key: KEY_B });
    assert.equal(forB.status, 401);
    assert.equal(forB.json.id, undefined);
    assert.equal((await sendAgain(receiver, { ...lookupA, path: `/tickets/${KEY_B}` })).status, 401, 'the path is signed, not only the key header');
    assert.equal((await sendAgain(receiver, { ...lookupA, method: 'POST' })).status, 401, 'the method is signed');
  });

  it('a captured POST sent again under a new Idempotency-Key makes no second ticket: 401', async function () {
    const postA = captured('POST', KEY_A);
    const tickets = receiver.tickets.length;
    assert.equal((await sendAgain(receiver, { ...postA, key: 'acr-doctor-lab-ticket-c' })).status, 401);
    assert.equal(receiver.tickets.length, tickets);
    const again = await sendAgain(receiver, postA);
    assert.deepEqual([again.status, again.json.id, receiver.tickets.length], [201, ticketA.id, tickets], 'sent again unchanged: the ticket already made');
  });

  it('a captured request sent again after the 5-minute window is refused: 401', async function () {
    receiver.clockOffsetMs = 301_000;
    try {
      assert.equal((await sendAgain(receiver, captured('POST', KEY_A))).status, 401);
      assert.equal((await sendAgain(receiver, captured('GET', KEY_B))).status, 401);
      assert.deepEqual(receiver.requests.slice(-2).map((r) => r.verdict), ['expired', 'expired']);
    } finally {
      receiver.clockOffsetMs = 0;
    }
  });

  it('an Idempotency-Key used again for another body, validly signed, is refused with 422; the first ticket stays', async function () {
    const postA = captured('POST', KEY_A);
    const body = JSON.stringify({ ...(JSON.parse(postA.body) as object), title: 'Another title under the same key' });
    const signature = signRequest(SECRET, { method: 'POST', path: '/tickets', idempotencyKey: KEY_A, body });
    const answer = await sendAgain(receiver, { ...postA, body, signature });
    assert.equal(answer.status, 422);
    assert.equal(receiver.tickets.find((t) => t.key === KEY_A)!.body.title, (JSON.parse(postA.body) as { title: string }).title);
  });

  describe('the proxy', function () {
    let secure: WebhookReceiver;
    let proxy: CountingProxy;
    let url: string;

    before(async function () {
      secure = await startWebhookReceiver(SECRET, { tls });
      url = `https://${TICKETS_HOST}:${secure.port}/tickets`;
      proxy = await startCountingProxy({ [`${TICKETS_HOST}:${secure.port}`]: secure.port });
    });

    after(async function () {
      await proxy?.close();
      await secure?.close();
    });

    it('with HTTPS_PROXY the ticket goes through the proxy\'s tunnel, to a host only the proxy can resolve', async function () {
      const ticket = ticketOf(await deliver('acr-doctor-lab-proxied', { TICKET_WEBHOOK_URL: url, HTTPS_PROXY: proxy.url }, { caPath: tls.certPath }));
      assert.ok(proxy.connects.length >= 1 && proxy.connects.every((t) => t === `${TICKETS_HOST}:${secure.port}`), proxy.connects.join(', '));
      assert.equal(secure.tickets.find((t) => t.key === 'acr-doctor-lab-proxied')?.id, ticket.id);
      assert.ok(secure.requests.every((r) => r.signed));
    });

    it('a host NO_PROXY names is reached directly: the proxy is never asked', async function () {
      const before = proxy.connects.length;
      const run = await deliver('acr-doctor-lab-direct', { TICKET_WEBHOOK_URL: url, HTTPS_PROXY: proxy.url, NO_PROXY: `localhost,.lab.example` }, { caPath: tls.certPath, hosts: [`127.0.0.1 ${TICKETS_HOST}`] });
      ticketOf(run);
      assert.equal(proxy.connects.length, before);
      assert.ok(secure.tickets.some((t) => t.key === 'acr-doctor-lab-direct'));
    });

    it('a proxy that refuses the tunnel is named in the error, credentials removed', async function () {
      const refusing = `http://builder:s3cret@127.0.0.1:${new URL(proxy.url).port}`;
      const run = await deliver('acr-doctor-lab-refused', { TICKET_WEBHOOK_URL: `https://elsewhere.lab.example:${secure.port}/tickets`, HTTPS_PROXY: refusing }, { caPath: tls.certPath });
      assert.equal(run.code, 1);
      assert.match(run.stderr, new RegExp(`webhook GET elsewhere\\.lab\\.example:${secure.port} through http://REDACTED@127\\.0\\.0\\.1:\\d+: .*403`));
      assert.ok(!run.stderr.includes('s3cret'));
      assert.equal(proxy.connects.at(-1), `elsewhere.lab.example:${secure.port}`);
    });
  });
});
