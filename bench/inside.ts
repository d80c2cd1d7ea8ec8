/**
 * Runs inside the isolated namespace: both tools, same scenarios, wall time and peak RSS of each.
 * acr-check is measured in both forms it ships in: the one file the bot serves to failing machines
 * (dist/bin/single/acr-check.mjs, what the cards run) and the package's bin with its lazily loaded chunks.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runMain } from '../test/helpers/run-main.js';
import { prepareNamespace } from '../test/lab/inside.js';
import { CLI, inWorld, labEnv, type CliWorld } from '../test/lab/run-cli.js';
import { CLI_FILE } from '../src/bot/cli-file.js';
import { registryName, SCENARIOS, worldFor } from '../test/lab/scenarios.js';
import { startLabWorld } from '../test/lab/world.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** check-health has no timeout of its own; past this it is killed and shown as "> cap". */
const CAP_MS = Number(process.env.BENCH_CAP_MS ?? 30_000);
const BUDGET_S = 8;
const ALL = ['healthyreg', 'nosuchreg1', 'deniedreg', 'refusedreg', 'mismatchreg', 'throttledreg', 'proxydeniedreg', 'inspectedreg', 'armdenied', 'armreplica', 'aksfirewall', 'blackholereg'];
/** BENCH_ONLY=healthyreg,deniedreg narrows the run; BENCH_NO_AZ=1 measures acr-check alone. */
const PICKED = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',') : ALL;
const WITH_AZ = !process.env.BENCH_NO_AZ;
/** The forms of acr-check measured, in this order within each round. */
const FORMS = [
  { name: 'one file (served)', path: CLI_FILE },
  { name: 'bin (chunks)', path: CLI },
];

interface Measure {
  wallMs: number;
  rssKb: number;
  exit: number | null;
  killed: boolean;
}

function measure(world: CliWorld, command: string[], env: Record<string, string>): Promise<Measure> {
  const timeFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'acr-bench-')), 'time');
  const [bin, ...args] = inWorld(world, ['/usr/bin/time', '-q', '-f', '%M', '-o', timeFile, ...command]);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(bin!, args, { env, stdio: 'ignore', detached: true });
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      process.kill(-child.pid!, 'SIGKILL');
    }, CAP_MS);
    child.on('error', reject);
    child.on('close', (exit) => {
      clearTimeout(timer);
      const wallMs = performance.now() - started;
      let rssKb = 0;
      try {
        rssKb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
      } catch {
        // killed before /usr/bin/time wrote anything
      }
      resolve({ wallMs, rssKb, exit, killed });
    });
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmtWall = (m: Measure[]): string => (m.some((x) => x.killed) ? `> ${CAP_MS / 1000} s (killed)` : `${(median(m.map((x) => x.wallMs)) / 1000).toFixed(2)} s`);
const fmtRss = (m: Measure[]): string => `${(Math.max(...m.map((x) => x.rssKb)) / 1024).toFixed(1)} MB`;

async function main(): Promise<undefined> {
  prepareNamespace();
  const lab = await startLabWorld();
  const azConfig = mkdtempSync(path.join(os.tmpdir(), 'acr-bench-az-'));
  const rows: string[] = [];
  const ratios: number[][] = FORMS.map(() => []);
  const maxRss: number[] = FORMS.map(() => 0);
  try {
    process.stdout.write(`acr-check (${FORMS.map((f) => f.name).join(', ')}) vs az acr check-health, ${RUNS} runs each (median wall, peak RSS), lab CA trusted by both\n\n`);
    rows.push(`| scenario | ${FORMS.map((f) => `${f.name} wall`).join(' | ')} | check-health wall | ${FORMS.map((f) => `ratio, ${f.name}`).join(' | ')} | ${FORMS.map((f) => `${f.name} peak RSS`).join(' | ')} | check-health peak RSS | exits (${FORMS.map((f) => f.name).join(', ')}, check-health) |`);
    rows.push(`|${' --- |'.repeat(4 + 3 * FORMS.length)}`);
    for (const name of PICKED) {
      const scenario = SCENARIOS.find((s) => registryName(s) === name)!;
      const world = worldFor(scenario, lab.pki.caPath);
      const ours: Measure[][] = FORMS.map(() => []);
      const theirs: Measure[] = [];
      for (let i = 0; i < RUNS; i++) {
        for (const [f, form] of FORMS.entries()) ours[f]!.push(await measure(world, [process.execPath, form.path, name, '--timeout', String(BUDGET_S), ...(scenario.args ?? [])], labEnv(world)));
        // check-health hangs on a black hole; once is enough to show it.
        if (WITH_AZ && (i === 0 || !theirs.some((m) => m.killed))) {
          theirs.push(
            await measure(world, ['az', 'acr', 'check-health', '-n', name, '--ignore-errors', '--yes'], {
              ...labEnv(world),
              AZURE_CONFIG_DIR: azConfig,
              AZURE_CORE_COLLECT_TELEMETRY: 'false',
              AZURE_CORE_ONLY_SHOW_ERRORS: 'false',
              REQUESTS_CA_BUNDLE: lab.pki.caPath,
            }),
          );
        }
      }
      if (theirs.length === 0) theirs.push({ wallMs: NaN, rssKb: 0, exit: null, killed: false });
      const theirWall = theirs.some((m) => m.killed) ? CAP_MS : median(theirs.map((m) => m.wallMs));
      const ratio = ours.map((m) => median(m.map((x) => x.wallMs)) / theirWall);
      if (name !== 'blackholereg') ours.forEach((_, f) => ratios[f]!.push(ratio[f]!));
      ours.forEach((m, f) => (maxRss[f] = Math.max(maxRss[f]!, ...m.map((x) => x.rssKb))));
      const bound = theirs.some((m) => m.killed) ? '< ' : '';
      rows.push(
        `| ${scenario.name} | ${ours.map(fmtWall).join(' | ')} | ${fmtWall(theirs)} | ${ratio.map((r) => `${bound}${r.toFixed(2)}×`).join(' | ')} | ${ours.map(fmtRss).join(' | ')} | ${fmtRss(theirs)} | ${ours.map((m) => m[0]!.exit).join(', ')}, ${theirs[0]!.killed ? 'killed' : theirs[0]!.exit} |`,
      );
      process.stdout.write(`${rows[rows.length - 1]}\n`);
      if (name === 'blackholereg') {
        const limit = BUDGET_S * 1000 * 1.1;
        for (const [f, form] of FORMS.entries()) {
          const worst = Math.max(...ours[f]!.map((m) => m.wallMs));
          process.stdout.write(`\nblack hole, ${form.name}: max wall ${(worst / 1000).toFixed(2)} s, limit budget + 10 % = ${(limit / 1000).toFixed(1)} s: ${worst <= limit ? 'met' : 'MISSED'}\n`);
        }
      }
    }
    process.stdout.write(`\n${rows.join('\n')}\n\n`);
    for (const [f, form] of FORMS.entries()) {
      const sorted = [...ratios[f]!].sort((a, b) => a - b);
      const worst = sorted[sorted.length - 1]!;
      if (WITH_AZ) process.stdout.write(`${form.name}: wall ratio acr-check / check-health (without black hole): median ${median(sorted).toFixed(2)}×, worst ${worst.toFixed(2)}× (target ≤ 0.5×): ${worst <= 0.5 ? 'met' : 'MISSED'}\n`);
      process.stdout.write(`${form.name}: peak RSS ${(maxRss[f]! / 1024).toFixed(1)} MB (target ≤ 80 MB): ${maxRss[f]! / 1024 <= 80 ? 'met' : 'MISSED'}\n`);
    }
  } finally {
    await lab.stop();
  }
}

runMain('bench', main);
