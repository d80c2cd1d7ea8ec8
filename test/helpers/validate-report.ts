/** Validates reports against src/report/report.schema.json; every report a test produces goes through it. */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const schema = JSON.parse(readFileSync(new URL('../../../src/report/report.schema.json', import.meta.url), 'utf8')) as object;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile(schema);

export function assertValidReport(report: unknown): void {
  if (!validate(report)) {
    throw new Error(`report does not match its schema: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  }
}
