/**
 * The bot's figures, in the lab namespace: the real bot process, the lab registry, and a connector
 * stub on loopback that timestamps what the bot sends. A bare botbuilder echo bot (echo-bot.ts, the
 * same adapter and server) runs beside it against the same stub, in alternating rounds, so the
 * figures are also read as ratios to it: absolute ones on this shared machine swing by 2× between runs.
 *   first visible reply  POST of `acr-check` → the progress card at the connector   (target p99 ≤ 2× echo's)
 *   help turns           `help` round trips per second, 20 in flight                (target ≥ 0.5× echo's)
 *   diagnosis turns      POST → result card, 50 conversations at once               (target p99 ≤ 1.5 s, no echo counterpart)
 *   memory               RSS idle, and peak with 1,000 conversations each in an open dialog
 *                        (echo: 1,000 conversations in its ConversationState)      (targets ≤ 2× and ≤ 3× echo's)
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Agent, request } from 'undici';
import { runMain } from '../test/helpers/run-main.js';
import { prepareNamespace } from '../test/lab/inside.js';
import { waitForPort } from '../test/lab/oci-registry.js';
import { runInWorld, spawnInWorld } from '../test/lab/run-cli.js';
import { ARM_SCENARIOS, identityEnv, SCENARIOS } from '../test/lab/scenarios.js';
import { startLabWorld } from '../test/lab/world.js';
import { startConnectorStub } from './connector-stub.js';

/** Rounds of the alternated measures; BENCH_RUNS=1 makes a quick run. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Per round: enough that a round's p99 is not simply its slowest turn. */
const FIRST_REPLY_TURNS = 200;
const HELP_TURNS = 2000;
const IN_FLIGHT = 20;
/** Targets as multiples of the echo bot's figures, except the diagnosis, which an echo bot has no counterpart for. */
/**
 * Ratios to the echo bot where the two do comparable work (a `help` turn, memory). The first reply is a
 * progress card built after the diagnosis planned its checks, against an echo's one line of text: its
 * ratio is reported, and its target stays the absolute one (p99 ≤ 100 ms).
 */
const TARGET = { firstReplyP99Ms: 100, helpRate: 0.5, idleRss: 2, openRss: 3, diagnosisP99Ms: 1500 };

interface Subject {
  name: string;
  entry: string;
  port: number;
  env: Record<string, string>;
}

const BOT: Subject = { name: 'acr-doctor', entry: new URL('../src/bot/start.js', import.meta.url).pathname, port: 3978, env: { LOG_LEVEL: 'warn' } };
const ECHO: Subject = { name: 'echo', entry: new URL('./echo-bot.js', import.meta.url).pathname, port: 3979, env: {} };

const dispatcher = new Agent({ connections: 64 });
/** Nearest rank: of 200 values, p99 is the 198th. */
const pct = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.max(0, Math.ceil((values.length * p) / 100) - 1)]!;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (kb: number): string => `${(kb / 1024).toFixed(1)} MB`;
const ms = (value: number): string => `${value.toFixed(1)} ms`;
const times = (ratio: number): string => `${ratio.toFixed(2)}×`;

function rssKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
}

async function main(): Promise<undefined> {
  prepareNamespace();
  const lab = await startLabWorld([...SCENARIOS, ...ARM_SCENARIOS]);
  const stub = await startConnectorStub();
  const running = new Set<ChildProcess>();
  let activities = 0;

  const start = async (subject: Subject): Promise<ChildProcess> => {
    const child = spawnInWorld({ caPath: lab.pki.caPath }, [process.execPath, subject.entry], { PORT: String(subject.port), ...subject.env });
    // Drained, so that a process that logs never blocks on a full pipe.
    child.stdout?.resume();
    child.stderr?.resume();
    running.add(child);
    await waitForPort(subject.port, '127.0.0.1', 15_000);
    return child;
  };
  const stop = async (child: ChildProcess): Promise<void> => {
    running.delete(child);
    if (child.exitCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  const post = async (subject: Subject, conversation: string, text: string): Promise<number> => {
    const activity = {
      type: 'message', id: `a${++activities}`, channelId: 'msteams', serviceUrl: stub.serviceUrl, locale: 'en-US',
      from: { id: 'u1' }, recipient: { id: 'bot' }, conversation: { id: `${subject.name}-${conversation}` }, text,
    };
    const started = performance.now();
    const res = await request(`http://127.0.0.1:${subject.port}/api/messages`, { method: 'POST', dispatcher, headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await res.body.dump();
    if (res.statusCode >= 400) throw new Error(`${subject.name} answered ${res.statusCode} to "${text}"`);
    return started;
  };
  const seen = (subject: Subject, conversation: string) => stub.seen.get(`${subject.name}-${conversation}`);
  const until = async (predicate: () => boolean, timeoutMs = 30_000): Promise<void> => {
    const end = Date.now() + timeoutMs;
    while (!predicate() && Date.now() < end) await sleep(5);
  };
  /** Diagnoses still running in the bot would tax whatever is measured next. */
  const diagnosesDone = (subject: Subject, ids: string[]): Promise<void> => (subject === BOT ? until(() => ids.every((id) => seen(subject, id)?.result !== undefined)) : Promise.resolve());

  const firstReplies = async (subject: Subject, label: string, turns: number): Promise<number[]> => {
    const latencies: number[] = [];
    const ids = Array.from({ length: turns }, (_, i) => `${label}-${i}`);
    for (const id of ids) {
      const started = await post(subject, id, 'acr-check healthyreg');
      await until(() => seen(subject, id)?.first !== undefined);
      latencies.push(seen(subject, id)!.first! - started);
    }
    await diagnosesDone(subject, ids);
    return latencies;
  };
  /** `help` turns per second with IN_FLIGHT round trips at a time. */
  const helpRate = async (subject: Subject, label: string, turns: number): Promise<number> => {
    let sent = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async (_, worker) => {
        while (sent < turns) {
          sent++;
          await post(subject, `${label}-${worker}`, 'help');
        }
      }),
    );
    return turns / ((performance.now() - started) / 1000);
  };
  /** RSS of a fresh process: idle once started, then at its peak after 1,000 conversations each left waiting for an answer. */
  const memory = async (subject: Subject): Promise<{ idleKb: number; peakKb: number }> => {
    const child = await start(subject);
    await sleep(1000);
    const idleKb = rssKb(child.pid!, 'VmRSS');
    for (let batch = 0; batch < 1000; batch += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, i) => post(subject, `open-${batch + i}`, 'diagnose')));
    }
    await until(() => seen(subject, 'open-999') !== undefined);
    const figures = { idleKb, peakKb: rssKb(child.pid!, 'VmHWM') };
    await stop(child);
    return figures;
  };

  try {
    const bot = await start(BOT);
    const echo = await start(ECHO);
    process.stdout.write(`acr-doctor and a bare echo bot (same CloudAdapter and restify server), ${RUNS} alternated rounds, load average ${os.loadavg()[0]!.toFixed(1)}\n\n`);
    // Warm-up: module loading, the first TLS handshakes and the JIT are not what users wait for each time.
    for (const subject of [BOT, ECHO]) {
      await firstReplies(subject, 'warm', 5);
      await helpRate(subject, 'warm-help', 100);
    }

    const first = new Map<Subject, number[][]>([[BOT, []], [ECHO, []]]);
    const help = new Map<Subject, number[]>([[BOT, []], [ECHO, []]]);
    for (let round = 0; round < RUNS; round++) {
      // A B, then B A: a machine getting slower or faster during the run weighs on both alike.
      const order = round % 2 === 0 ? [BOT, ECHO] : [ECHO, BOT];
      for (const subject of order) first.get(subject)!.push(await firstReplies(subject, `first-${round}`, FIRST_REPLY_TURNS));
      for (const subject of order) help.get(subject)!.push(await helpRate(subject, `help-${round}`, HELP_TURNS));
      const [ourP99, echoP99] = [BOT, ECHO].map((s) => pct(first.get(s)![round]!, 99));
      const [ourRate, echoRate] = [BOT, ECHO].map((s) => help.get(s)![round]!);
      process.stdout.write(
        `round ${round + 1}: first reply p99 ${ms(ourP99!)} vs echo ${ms(echoP99!)} (${times(ourP99! / echoP99!)}), help ${Math.round(ourRate!)} /s vs echo ${Math.round(echoRate!)} /s (${times(ourRate! / echoRate!)})\n`,
      );
    }

    const diagnosis: number[] = [];
    for (let round = 0; round < 3; round++) {
      const ids = Array.from({ length: 50 }, (_, i) => `diag-${round}-${i}`);
      const starts = await Promise.all(ids.map((id) => post(BOT, id, 'acr-check healthyreg')));
      await diagnosesDone(BOT, ids);
      ids.forEach((id, i) => diagnosis.push((seen(BOT, id)?.result ?? Infinity) - starts[i]!));
    }

    // Memory is measured on fresh processes, one at a time: only the conversations, not the runs above.
    await stop(bot);
    await stop(echo);
    const ourMemory = await memory(BOT);
    const echoMemory = await memory(ECHO);

    // Azure access made once (the bot's identity and ARM clients) against made per diagnosis, in one process.
    const azureRun = await runInWorld({ caPath: lab.pki.caPath, env: identityEnv('allowed') }, [process.execPath, new URL('./azure-once.js', import.meta.url).pathname]);
    if (azureRun.code !== 0) throw new Error(`azure-once failed: ${azureRun.stderr}`);
    const azure = JSON.parse(azureRun.stdout) as { once: number[]; perRun: number[] };

    const pooled = (subject: Subject): number[] => first.get(subject)!.flat();
    // Total turns over total time: the harmonic mean of the rounds' rates.
    const rate = (subject: Subject): number => help.get(subject)!.length / help.get(subject)!.reduce((sum, r) => sum + 1 / r, 0);
    const perRound = (ratios: number[]): string => ratios.map((r) => r.toFixed(2)).join(', ');
    const firstRatio = pct(pooled(BOT), 99) / pct(pooled(ECHO), 99);
    const firstMedianRatio = pct(pooled(BOT), 50) / pct(pooled(ECHO), 50);
    const helpRatio = rate(BOT) / rate(ECHO);
    const idleRatio = ourMemory.idleKb / echoMemory.idleKb;
    const peakRatio = ourMemory.peakKb / echoMemory.peakKb;
    const latency = (subject: Subject): string => `p50 ${ms(pct(pooled(subject), 50))}, p99 ${ms(pct(pooled(subject), 99))}`;
    const mark = (met: boolean): string => (met ? 'met' : 'MISSED');
    const rows = [
      '| measure | acr-doctor | echo bot | ratio | ratio per round | target | |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| first visible reply, ${FIRST_REPLY_TURNS} turns × ${RUNS} (per round: p99) | ${latency(BOT)} | ${latency(ECHO)} | p50 ${times(firstMedianRatio)}, p99 ${times(firstRatio)} | ${perRound(first.get(BOT)!.map((r, i) => pct(r, 99) / pct(first.get(ECHO)![i]!, 99)))} | p99 ≤ ${TARGET.firstReplyP99Ms} ms | ${mark(pct(pooled(BOT), 99) <= TARGET.firstReplyP99Ms)} |`,
      `| \`help\` turns, ${HELP_TURNS.toLocaleString('en-US')} × ${RUNS} with ${IN_FLIGHT} in flight | ${Math.round(rate(BOT))} /s | ${Math.round(rate(ECHO))} /s | ${times(helpRatio)} | ${perRound(help.get(BOT)!.map((r, i) => r / help.get(ECHO)![i]!))} | ≥ ${TARGET.helpRate}× | ${mark(helpRatio >= TARGET.helpRate)} |`,
      `| RSS idle | ${mb(ourMemory.idleKb)} | ${mb(echoMemory.idleKb)} | ${times(idleRatio)} | – | ≤ ${TARGET.idleRss}× | ${mark(idleRatio <= TARGET.idleRss)} |`,
      `| peak RSS, 1,000 open conversations | ${mb(ourMemory.peakKb)} | ${mb(echoMemory.peakKb)} | ${times(peakRatio)} | – | ≤ ${TARGET.openRss}× | ${mark(peakRatio <= TARGET.openRss)} |`,
      `| diagnosis turns (POST → result card), 50 at once × 3 | p50 ${(pct(diagnosis, 50) / 1000).toFixed(2)} s, p99 ${(pct(diagnosis, 99) / 1000).toFixed(2)} s | – | – | – | p99 ≤ ${TARGET.diagnosisP99Ms / 1000} s | ${mark(pct(diagnosis, 99) <= TARGET.diagnosisP99Ms)} |`,
      `| Azure part of a diagnosis (sign-in, subscriptions, registries, exchange token), ${azure.once.length} alternated | made once: p50 ${ms(pct(azure.once, 50))}, p99 ${ms(pct(azure.once, 99))} | made per diagnosis: p50 ${ms(pct(azure.perRun, 50))}, p99 ${ms(pct(azure.perRun, 99))} | p50 ${times(pct(azure.once, 50) / pct(azure.perRun, 50))} | – | < 1× | ${mark(pct(azure.once, 50) < pct(azure.perRun, 50))} |`,
    ];
    process.stdout.write(`\n${rows.join('\n')}\n`);
  } finally {
    await Promise.all([...running].map(stop));
    stub.close();
    await dispatcher.close();
    await lab.stop();
  }
}

runMain('bench', main);
