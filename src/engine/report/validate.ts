/**
 * Reports checked against their JSON Schema (report.schema.json): every report a test produces, and
 * every report a client uploads to the bot, which trusts nothing in it until this passes.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import schema from './report.schema.json' with { type: 'json' };
import type { Report } from './types.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const ajv = new Ajv2020({ allErrors: true, strict: true });
addFormats(ajv);
const validate = ajv.compile<Report>(schema);

/** Undefined when `value` is a valid report; else what is wrong, one line per problem (at most five). */
export function reportProblems(value: unknown): string | undefined {
  if (validate(value)) return undefined;
  return (validate.errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`)
    .join('\n');
}

export function isReport(value: unknown): value is Report {
  return validate(value);
}
