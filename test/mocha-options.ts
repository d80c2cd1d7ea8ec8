/**
 * The one mocha configuration, .mocharc.json: `mocha` (npm run test:unit) reads it, and `npm test`
 * and the lab run their suites with the same options through this.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const rc = JSON.parse(readFileSync(fileURLToPath(new URL('../../.mocharc.json', import.meta.url)), 'utf8')) as { timeout: number };

/** Mocha's options, as the command line reads them. */
export const MOCHA_OPTIONS = { timeout: rc.timeout } as const;
