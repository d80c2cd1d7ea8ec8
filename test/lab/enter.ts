/**
 * `npm test` runs this after the unit tests: it installs what the lab needs, then re-executes the
 * lab suite inside a fresh network + mount namespace (only `lo` in it), so no packet can leave.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureDependencies, LAB_DEPENDENCIES } from './system-deps.js';

export function runIsolated(script: string, args: string[]): number {
  if (process.getuid?.() !== 0) {
    process.stderr.write('lab: the lab needs root for unshare --net (CI runs as root); run the lab with sudo\n');
    return 1;
  }
  try {
    ensureDependencies(LAB_DEPENDENCIES);
  } catch (err) {
    process.stderr.write(`lab: ${(err as Error).message}\n`);
    return 1;
  }
  const result = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', '--fork', '--', process.execPath, script, ...args], {
    stdio: 'inherit',
  });
  return result.status ?? 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = runIsolated(fileURLToPath(new URL('./inside.js', import.meta.url)), process.argv.slice(2));
}
