/**
 * `npm run lab:try -- <scenario> [acr-check args]`: runs acr-check by hand against one staged
 * world of the lab, inside the isolated namespace, and shows its output as a user would see it.
 */
import { fileURLToPath } from 'node:url';
import { runIsolated } from './enter.js';
import { prepareNamespace } from './inside.js';
import { runCli } from './run-cli.js';
import { registryName, SCENARIOS, worldFor } from './scenarios.js';
import { startLabWorld } from './world.js';

async function inside(name: string, extra: string[]): Promise<number> {
  const scenario = SCENARIOS.find((s) => registryName(s) === name || s.name === name);
  if (!scenario) {
    process.stderr.write(`unknown scenario ${name}; one of: ${SCENARIOS.map(registryName).join(', ')}\n`);
    return 2;
  }
  prepareNamespace();
  const lab = await startLabWorld();
  try {
    const run = await runCli([scenario.registry, ...(scenario.args ?? []), ...extra], worldFor(scenario, lab.pki.caPath));
    process.stdout.write(run.stdout);
    process.stderr.write(run.stderr);
    process.stderr.write(`[lab] exit ${run.code}, wall ${Math.round(run.wallMs)} ms\n`);
    return 0;
  } finally {
    await lab.stop();
  }
}

const [mode, name, ...extra] = process.argv.slice(2);
if (mode === '--inside' && name) {
  inside(name, extra).then((code) => process.exit(code), (err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exit(1);
  });
} else if (mode) {
  process.exitCode = runIsolated(fileURLToPath(import.meta.url), ['--inside', mode, ...[name, ...extra].filter((x): x is string => x !== undefined)]);
} else {
  process.stderr.write(`usage: npm run lab:try -- <scenario> [acr-check args]\nscenarios: ${SCENARIOS.map(registryName).join(', ')}\n`);
  process.exitCode = 2;
}
