/**
 * The bot under fuzzing: the real process in the lab, its log, its memory (VmRSS) and whether it
 * still runs; every answer timed and tallied, every 5xx and every failed turn kept with its request.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { explainedBy, toleratedBy } from './fuzz-findings.js';
import { waitForPort } from './oci-registry.js';
import { spawnInWorld } from './run-cli.js';

export interface Answer {
  /** Undefined when the server closed the connection without a status line. */
  status: number | undefined;
  text: string;
}

export interface FuzzedBot {
  port: number;
  /** The bot's whole log, stdout and stderr. */
  log(): string;
  /** Undefined while the process runs; otherwise how it ended, with the end of its log. */
  ended(): string | undefined;
  rssMb(): number;
  /** The highest VmRSS seen at any observed answer. */
  peakMb: number;
  post(path: string, body: string | Buffer): Promise<Answer & { status: number }>;
  /** Tallies an answer; what makes it fail its property (a 5xx no open finding explains, silence, a dead bot), if anything. */
  observe(property: string, sent: string | Buffer, answer: Answer, logMark: number): string | undefined;
  /** Requests answered although their turn failed inside the bot, with the error it logged. */
  failedTurns: { request: string; error: string; finding?: string }[];
  /** What the fuzzing reached and how long it took: statuses per property, findings hit, the slowest answer. */
  summary(): string[];
  stop(): void;
}

const START = new URL('../../src/bot/start.js', import.meta.url).pathname;

/** VmRSS of a process, in MB, from /proc (the bot is a child of this process, in its namespace). */
export function rssMb(pid: number): number {
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) / 1024;
}

/** A short, printable form of a request body for a failure message. */
export function excerpt(body: string | Buffer, max = 600): string {
  const text = typeof body === 'string' ? body : body.toString('latin1');
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} chars)`;
}

/** The distinct errors of turns that failed inside the bot ("turn failed" and "report intake failed" log lines). */
export function turnFailures(log: string): string[] {
  const seen = new Set<string>();
  for (const line of log.split('\n')) {
    if (!/"msg":"(turn failed|report intake failed)"/.test(line)) continue;
    try {
      // The error is under `err` or `error`: a pino error object, or the bot's own bounded error line.
      type Logged = { message?: string; type?: string; name?: string } | string | undefined;
      const entry = JSON.parse(line) as { msg: string; err?: Logged; error?: Logged };
      const logged = entry.err ?? entry.error;
      const err = typeof logged === 'string' ? logged : `${logged?.name ?? logged?.type ?? 'Error'}: ${logged?.message ?? ''}`;
      seen.add(`${entry.msg}: ${err.slice(0, 300)}`);
    } catch {
      seen.add(line.slice(0, 300));
    }
  }
  return [...seen];
}

const bump = (counts: Map<string, number>, key: string): Map<string, number> => counts.set(key, (counts.get(key) ?? 0) + 1);

export async function startFuzzedBot(caPath: string, port: number, env: Record<string, string>): Promise<FuzzedBot> {
  const child: ChildProcess = spawnInWorld({ caPath }, [process.execPath, START], { PORT: String(port), HOST: '127.0.0.1', ...env });
  let log = '';
  let exit: string | undefined;
  child.stdout?.on('data', (c: Buffer) => (log += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (log += c.toString()));
  child.on('exit', (code, signal) => (exit = `exited with ${signal ?? code}`));
  await waitForPort(port, '127.0.0.1', 15_000);
  // spawnInWorld execs through unshare and sh: by now the pid is node's own.
  const pid = child.pid!;
  const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  if (!cmdline.includes('start.js')) throw new Error(`pid ${pid} is not the bot: ${cmdline}`);
  const statuses = new Map<string, Map<string, number>>();
  const tolerated = new Map<string, number>();
  let slowest = { ms: 0, request: '' };

  const bot: FuzzedBot = {
    port,
    log: () => log,
    ended: () => (exit === undefined ? undefined : `${exit}; log ends:\n${log.slice(-3000)}`),
    rssMb: () => rssMb(pid),
    peakMb: 0,
    failedTurns: [],
    async post(path, body) {
      const started = performance.now();
      const res = await request(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, headersTimeout: 30_000, bodyTimeout: 30_000 });
      const text = await res.body.text();
      const ms = performance.now() - started;
      if (ms > slowest.ms) slowest = { ms, request: `POST ${path} ${excerpt(body, 200)}` };
      return { status: res.statusCode, text };
    },
    observe(property, sent, answer, logMark) {
      const ended = bot.ended();
      if (ended) return `the bot ${ended}\nlast request: ${excerpt(sent)}`;
      bot.peakMb = Math.max(bot.peakMb, rssMb(pid));
      bump(statuses.get(property) ?? statuses.set(property, new Map()).get(property)!, String(answer.status ?? 'no answer'));
      const logged = log.slice(logMark);
      for (const error of turnFailures(logged)) bot.failedTurns.push({ request: `${property}: ${excerpt(sent)}`, error, ...(explainedBy(error) ? { finding: explainedBy(error)!.id } : {}) });
      if (answer.status !== undefined && answer.status < 500) return undefined;
      const text = typeof sent === 'string' ? sent : sent.toString('latin1');
      const finding = toleratedBy(text, answer);
      if (finding) return void bump(tolerated, finding.id);
      return `answered ${answer.status ?? 'nothing'}\nrequest: ${excerpt(sent)}\nanswer: ${answer.text.slice(0, 500)}\nbot log meanwhile:\n${logged.slice(-2000)}`;
    },
    summary: () => [
      ...[...statuses].map(([property, counts]) => `${property}: ${[...counts].sort().map(([status, n]) => `${n}× ${status}`).join(', ')}`),
      ...[...tolerated].map(([id, n]) => `open finding ${id}: its 5xx seen ${n}×`),
      ...[...bot.failedTurns.reduce((byFinding, t) => bump(byFinding, t.finding ?? 'none'), new Map<string, number>())].map(([id, n]) => `${id === 'none' ? 'no open finding' : `open finding ${id}`}: a failed turn seen ${n}×`),
      ...bot.failedTurns.filter((t) => !t.finding).map((t) => `a turn failed (${t.error}) for ${t.request}`),
      `slowest answer ${slowest.ms.toFixed(0)} ms: ${slowest.request}`,
    ],
    stop: () => void child.kill('SIGTERM'),
  };
  return bot;
}
