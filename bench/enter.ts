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
/** `npm run bench` compares with check-health; `npm run bench -- bot` measures the bot. */
const which = process.argv[2] === 'bot' ? './bot-inside.js' : './inside.js';
const inside = fileURLToPath(new URL(which, import.meta.url));
const result = spawnSync('unshare', ['--net', '--mount', '--propagation', 'private', '--fork', '--', process.execPath, inside, ...process.argv.slice(process.argv[2] === 'bot' ? 3 : 2)], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
