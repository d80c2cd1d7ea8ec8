/** `npm start`. The Teams bot is not built yet; until it is, this says how to use the CLI. */
import { TOOL } from './version.js';

process.stdout.write(
  [
    `${TOOL.name} ${TOOL.version}`,
    '',
    'The Teams bot is not part of this version yet. Diagnose from the machine that fails with the CLI:',
    '',
    '  npx acr-check <registry>                      # name, login server or ARM resource id',
    '  npx acr-check myregistry --symptom client-timeout --client aks',
    '  npx acr-check myregistry --json               # the report as JSON',
    '  npx acr-check --help',
    '',
  ].join('\n'),
);
