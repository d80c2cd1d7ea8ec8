/**
 * `npm run bench`: acr-check against Debian's `az acr check-health` (azure-cli 2.45) on the same
 * lab scenarios, in one run, inside the lab's isolated namespace. Prints wall time and peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BENCH_DEPENDENCIES, ensureDependencies } from '../test/lab/system-deps.js';

if (process.getuid?.() !== 0) {
  process.stderr.write('bench: needs root for unshare --net (as the lab does)\n');
  process.exit(1);
}
ensureDependencies(BENCH_DEPENDENCIES);
const inside = fileURLToPath(new URL('./inside.js', import.meta.url));
const result = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', '--fork', '--', process.execPath, inside, ...process.argv.slice(2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
