/** Runs inside the lab namespace: brings up `lo` with the lab's addresses, then the lab suite. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Mocha from 'mocha';
import { SpecWithStats } from '../stats-reporter.js';
import { assertIsolated } from './isolation.js';
import { LAB_ADDRESSES } from './addresses.js';
import { addDiscardDevice } from './discard-device.js';

export function prepareNamespace(): void {
  assertIsolated();
  execFileSync('ip', ['link', 'set', 'lo', 'up']);
  for (const address of Object.values(LAB_ADDRESSES)) {
    execFileSync('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
  }
  addDiscardDevice();
}

async function main(): Promise<void> {
  prepareNamespace();
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const mocha = new Mocha({ timeout: 60_000, reporter: SpecWithStats });
  const grep = process.argv[2];
  if (grep) mocha.grep(grep);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.test.js')).sort()) mocha.addFile(path.join(dir, file));
  await mocha.loadFilesAsync();
  mocha.run((failures) => {
    process.exit(failures > 0 ? 1 : 0);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`lab: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}
