/**
 * What the fuzz tests send the running bot: arbitrary JSON, and valid activities and reports with
 * a few of their fields changed (removed, wrong-typed, huge, deeply nested, odd unicode).
 */
import fc from 'fast-check';

/** Strings that have broken parsers, renderers and file paths before. */
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\uD800',
  'a\uDFFFb',
  '\u202Eevil\u202C',
  '\u2066x\u2069',
  '\uFEFFhelp',
  '\u200D',
  '\u2028\u2029',
  '👩‍👩‍👧‍👦',
  'ﷺ',
  'é', // e + combining acute
  '%s%n%d',
  '${labels.rerun}',
  '{{x}}',
  '../../../../etc/passwd',
  '..\\..\\x',
  '/dev/zero',
  'acr-doctor-0123456789abcdef0123456789abcdef',
  '__proto__',
  'constructor',
  '<at>acr-doctor</at>',
  '[Your session expired](https://evil.example)',
  '<script>alert(1)</script>',
  'myregistry',
  'myregistry.azurecr.io',
  'https://evil.example',
  '10.9.9.9',
  'ZZZZZ-ZZZZZ',
];

export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...ODD_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary-ascii', maxLength: 40 }),
);

/** A string long enough to pass every field limit, short enough that the body stays under 256 KB. */
const hugeString: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 17_000, max: 200_000 }), fc.constantFrom('x', 'é', '𝕏', 'a ', '[', '\u202E')).map(([length, unit]) => unit.repeat(Math.ceil(length / unit.length)));

/**
 * Arrays or objects nested `depth` deep (JSON.parse takes any depth; a recursive walker may not).
 * Generated as a short token that `jsonText` expands, so that cloning, shrinking and printing a
 * counterexample do not recurse 4,000 levels themselves.
 */
const deepNesting: fc.Arbitrary<string> = fc.tuple(fc.integer({ min: 17, max: 4000 }), fc.constantFrom('arrays', 'objects')).map(([depth, kind]) => `⟦${depth} nested ${kind}⟧`);

const NESTING_TOKEN = /"⟦(\d+) nested (arrays|objects)⟧"/g;

/** JSON text of a fuzzed value, its nesting tokens expanded. */
export function jsonText(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(NESTING_TOKEN, (_, depth: string, kind: string) => {
    const [open, close] = kind === 'arrays' ? ['[', ']'] : ['{"x":', '}'];
    return `${open.repeat(Number(depth))}"bottom"${close.repeat(Number(depth))}`;
  });
}

/** Anything JSON can say in one field. */
export const anyField: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: oddString, weight: 4 },
  { arbitrary: fc.constantFrom(null, true, false, 0, -1, 1e308, 0.5, [], {}, [null], { id: null }), weight: 3 },
  { arbitrary: hugeString, weight: 1 },
  { arbitrary: deepNesting, weight: 1 },
);

export type JsonPath = (string | number)[];
export type Change = { path: JsonPath; remove: true } | { path: JsonPath; remove: false; value: unknown };

/** Every path into a JSON value, the root excluded. */
export function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

/** A copy of `value` with one change; fields are defined as own properties, so `__proto__` stays a key. */
function applyChange(value: unknown, change: Change): unknown {
  const copy = structuredClone(value);
  const parentPath = change.path.slice(0, -1);
  let parent: unknown = copy;
  for (const key of parentPath) {
    const holder = parent as Record<string | number, unknown>;
    if (holder[key] === null || typeof holder[key] !== 'object') Object.defineProperty(holder, key, { value: {}, enumerable: true, writable: true, configurable: true });
    parent = holder[key];
  }
  const key = change.path[change.path.length - 1]!;
  const holder = parent as Record<string | number, unknown>;
  if (change.remove && Array.isArray(holder) && typeof key === 'number') holder.splice(key, 1);
  else if (change.remove) Reflect.deleteProperty(holder, key);
  else Object.defineProperty(holder, key, { value: change.value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** One to three changes at the given paths (or new ones beside them). */
export function changesAt(paths: JsonPath[], extraPaths: JsonPath[] = []): fc.Arbitrary<Change[]> {
  const path = fc.constantFrom(...paths, ...extraPaths);
  const change: fc.Arbitrary<Change> = fc.oneof(
    { arbitrary: path.map((p): Change => ({ path: p, remove: true })), weight: 1 },
    { arbitrary: fc.tuple(path, anyField).map(([p, value]): Change => ({ path: p, remove: false, value })), weight: 3 },
  );
  return fc.array(change, { minLength: 1, maxLength: 3 });
}

export const applyChanges = (value: unknown, changes: Change[]): unknown => changes.reduce(applyChange, value);

/** Fields an activity may carry beside the ones of a plain message. */
export const ACTIVITY_EXTRAS: JsonPath[] = [
  ['value'],
  ['value', 'verb'],
  ['value', 'diagnosis'],
  ['value', 'escalation'],
  ['channelData'],
  ['channelData', 'tenant', 'id'],
  ['conversation', 'tenantId'],
  ['conversation', 'conversationType'],
  ['entities'],
  ['attachments'],
  ['membersAdded'],
  ['membersRemoved'],
  ['action'],
  ['name'],
  ['replyToId'],
  ['relatesTo'],
  ['__proto__'],
];

const VERBS = ['rerun', 'handover', 'escalate', 'escalation.confirm', 'escalation.cancel', 'escalation.', 'escalation.other', 'other', ''];

/** What a card's Action.Submit sends, with any ids: this conversation's, another's, or made up. */
export function cardSubmit(knownIds: string[]): fc.Arbitrary<Record<string, unknown>> {
  const id = fc.oneof(fc.constantFrom('', '00000000-0000-4000-8000-000000000000', 'acr-doctor-0123456789abcdef0123456789abcdef', ...knownIds), fc.uuid(), oddString);
  return fc.record(
    {
      verb: fc.constantFrom(...VERBS),
      registry: fc.oneof(fc.constantFrom('myregistry', 'myregistry.azurecr.io', 'MyRegistry', 'a', 'x'.repeat(51)), oddString),
      diagnosis: id,
      escalation: id,
      extra: fc.jsonValue({ maxDepth: 2 }),
    },
    { requiredKeys: ['verb'] },
  );
}

/** What people type, commands included. */
export const messageText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('help', 'cancel', 'diagnose', 'escalate', '/acr-check', 'acr-check', 'yes', 'no', '1', '4', 'HELP', '<at>acr-doctor</at> help', 'escalate myregistry', 'diagnose myregistry'),
  fc.tuple(fc.constantFrom('acr-check', 'diagnose', 'escalate', "AKS can't pull from"), fc.oneof(fc.constantFrom('myregistry', 'nosuchreg', 'a.b.c', 'x'.repeat(60)), oddString)).map(([command, rest]) => `${command} ${rest}`),
  oddString,
  hugeString.map((s) => s.slice(0, 60_000)),
);

export const locales: fc.Arbitrary<string> = fc.oneof(fc.constantFrom('en-US', 'ru-RU', 'ar-SA', 'de-DE', '', 'x', 'ar'), oddString);
