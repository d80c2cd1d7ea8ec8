/** Validates cards against the published Adaptive Cards 1.5 schema (test/fixtures, source noted there). */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import draft6 from 'ajv/dist/refs/json-schema-draft-06.json' with { type: 'json' };

const published = JSON.parse(readFileSync(new URL('../../../test/fixtures/adaptive-card-1.5.schema.json', import.meta.url), 'utf8')) as { id?: string };
// The published schema names itself with draft-04's "id"; Ajv wants "$id". Nothing else is changed.
const { id, ...rest } = published;
const schema = { $id: id, ...rest };
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addMetaSchema(draft6);
const validate = ajv.compile(schema);

export function assertValidCard(card: unknown): void {
  if (!validate(card)) throw new Error(`card does not match Adaptive Cards 1.5: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
  const version = (card as { version?: unknown }).version;
  if (version !== '1.5') throw new Error(`card version ${String(version)}, Teams renders up to 1.5`);
}
