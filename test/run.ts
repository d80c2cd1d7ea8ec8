/**
 * `npm test` after lint and build: the unit suite here, then the lab suite inside its own
 * network namespace, then one closing line with the totals of both.
 */
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { runIsolated } from './lab/enter.js';
import { SpecWithStats, type Stats } from './stats-reporter.js';
import { runMain } from './helpers/run-main.js';
import { MOCHA_OPTIONS } from './mocha-options.js';

const here = path.dirname(fileURLToPath(import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.test.js'))
    .sort()
    .map((f) => path.join(dir, f));
}

function readStats(file: string): Stats {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Stats) : { passes: 0, failures: 1, pending: 0 };
}

async function main(): Promise<number> {
  const statsDir = mkdtempSync(path.join(os.tmpdir(), 'acr-test-stats-'));
  const unitStats = path.join(statsDir, 'unit.json');
  process.env.ACR_TEST_STATS = unitStats;
  const mocha = new Mocha({ ...MOCHA_OPTIONS, reporter: SpecWithStats });
  testFiles(path.join(here, 'unit')).forEach((f) => mocha.addFile(f));
  await mocha.loadFilesAsync();
  await new Promise<number>((resolve) => mocha.run(resolve));

  const labStats = path.join(statsDir, 'lab.json');
  process.env.ACR_TEST_STATS = labStats;
  const labExit = runIsolated(path.join(here, 'lab', 'inside.js'), []);

  const unit = readStats(unitStats);
  const lab = readStats(labStats);
  const failed = unit.failures + lab.failures + (labExit !== 0 && lab.failures === 0 ? 1 : 0);
  const passed = unit.passes + lab.passes;
  process.stdout.write(`\nunit: ${unit.passes} passed, ${unit.failures} failed; lab: ${lab.passes} passed, ${lab.failures} failed\n`);
  process.stdout.write(`${passed} passed, ${failed} failed, ${unit.pending + lab.pending} skipped\n`);
  return failed > 0 ? 1 : 0;
}

runMain('test', main);
