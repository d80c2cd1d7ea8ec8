/**
 * The bot's figures, in the lab namespace: the real bot process, the lab registry, and a connector
 * stub on loopback that timestamps what the bot sends.
 *   first visible reply  POST of `acr-check` → the progress card at the connector   (target p99 ≤ 100 ms)
 *   help turns           `help` round trips per second, 20 in flight                (target ≥ 500/s)
 *   diagnosis turns      POST → result card, 50 conversations at once               (target p99 ≤ 1.5 s)
 *   memory               bot RSS with 1,000 conversations each in an open dialog    (target ≤ 250 MB)
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { runMain } from '../test/helpers/run-main.js';
import { prepareNamespace } from '../test/lab/inside.js';
import { waitForPort } from '../test/lab/oci-registry.js';
import { spawnInWorld } from '../test/lab/run-cli.js';
import { startLabWorld } from '../test/lab/world.js';

const PORT = 3978;
const BOT = `http://127.0.0.1:${PORT}/api/messages`;
const dispatcher = new Agent({ connections: 64 });

interface Seen {
  first?: number;
  result?: number;
}

async function main(): Promise<undefined> {
  prepareNamespace();
  const lab = await startLabWorld();
  const seen = new Map<string, Seen>();
  let next = 0;
  const stub = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const conversation = decodeURIComponent(/\/v3\/conversations\/([^/]+)\//.exec(req.url ?? '')?.[1] ?? '');
      const entry = seen.get(conversation) ?? {};
      entry.first ??= performance.now();
      if (req.method === 'PUT' && body.includes('HEALTHY')) entry.result ??= performance.now();
      seen.set(conversation, entry);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `r${++next}` }));
    });
  });
  await new Promise<void>((r) => stub.listen(0, '127.0.0.1', r));
  const serviceUrl = `http://127.0.0.1:${(stub.address() as AddressInfo).port}`;
  let bot = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, new URL('../src/start.js', import.meta.url).pathname], { PORT: String(PORT), LOG_LEVEL: 'warn' });
  await waitForPort(PORT, '127.0.0.1', 15_000);

  const post = async (conversation: string, text: string): Promise<number> => {
    const activity = {
      type: 'message', id: `a${++next}`, channelId: 'msteams', serviceUrl, locale: 'en-US',
      from: { id: 'u1' }, recipient: { id: 'bot' }, conversation: { id: conversation }, text,
    };
    const started = performance.now();
    const res = await request(BOT, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await res.body.dump();
    return started;
  };
  const until = async (predicate: () => boolean, ms = 30_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
  };
  const pct = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
  const rows: string[] = [];
  const row = (what: string, figure: string, target: string, met: boolean): void => {
    rows.push(`| ${what} | ${figure} | ${target} | ${met ? 'met' : 'MISSED'} |`);
    process.stdout.write(`${rows[rows.length - 1]}\n`);
  };

  try {
    // Warm-up: module loading and the first TLS handshakes are not what users wait for each time.
    for (let i = 0; i < 5; i++) await post(`warm-${i}`, 'acr-check healthyreg');
    await until(() => [...Array(5).keys()].every((i) => seen.get(`warm-${i}`)?.result));

    const firstReply: number[] = [];
    for (let i = 0; i < 100; i++) {
      const id = `first-${i}`;
      const started = await post(id, 'acr-check healthyreg');
      await until(() => seen.get(id)?.first !== undefined);
      firstReply.push(seen.get(id)!.first! - started);
    }
    await until(() => [...seen.keys()].filter((k) => k.startsWith('first-')).every((k) => seen.get(k)?.result));
    row('first visible reply (progress card), 100 turns', `p50 ${pct(firstReply, 50).toFixed(1)} ms, p99 ${pct(firstReply, 99).toFixed(1)} ms`, 'p99 ≤ 100 ms', pct(firstReply, 99) <= 100);

    const total = 2000;
    let sent = 0;
    const helpStarted = performance.now();
    await Promise.all(
      Array.from({ length: 20 }, async (_, worker) => {
        while (sent < total) {
          sent++;
          await post(`help-${worker}`, 'help');
        }
      }),
    );
    const perSecond = total / ((performance.now() - helpStarted) / 1000);
    row(`help turns, ${total} with 20 in flight`, `${Math.round(perSecond)} /s`, '≥ 500 /s', perSecond >= 500);

    const diagnosis: number[] = [];
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: 50 }, (_, i) => `diag-${round}-${i}`);
      const starts = await Promise.all(ids.map((id) => post(id, 'acr-check healthyreg')));
      await until(() => ids.every((id) => seen.get(id)?.result !== undefined));
      ids.forEach((id, i) => diagnosis.push((seen.get(id)?.result ?? Infinity) - starts[i]!));
    }
    row('diagnosis turns, 50 conversations at once (3 rounds)', `p50 ${(pct(diagnosis, 50) / 1000).toFixed(2)} s, p99 ${(pct(diagnosis, 99) / 1000).toFixed(2)} s`, 'p99 ≤ 1.5 s', pct(diagnosis, 99) <= 1500);

    // Memory is measured on a fresh bot process: only the 1,000 open conversations, not the runs above.
    bot.kill('SIGTERM');
    await new Promise((r) => bot.once('exit', r));
    const fresh = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, new URL('../src/start.js', import.meta.url).pathname], { PORT: String(PORT), LOG_LEVEL: 'warn' });
    bot = fresh;
    await waitForPort(PORT, '127.0.0.1', 15_000);
    for (let batch = 0; batch < 1000; batch += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => post(`open-${batch + i}`, 'diagnose')));
    }
    await until(() => seen.get('open-999') !== undefined);
    const status = readFileSync(`/proc/${fresh.pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    row('bot memory with 1,000 open dialogs', `RSS ${(kb('VmRSS') / 1024).toFixed(1)} MB (peak ${(kb('VmHWM') / 1024).toFixed(1)} MB)`, '≤ 250 MB', kb('VmHWM') / 1024 <= 250);
    process.stdout.write(`\n| measure | figure | target | |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`);
  } finally {
    bot.kill('SIGTERM');
    stub.close();
    await dispatcher.close();
    await lab.stop();
  }
}

runMain('bench', main);
