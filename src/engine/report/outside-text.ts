/**
 * Text that came from outside the bot (an upload, what a user typed) loses the bidirectional
 * controls that can reorder or hide what a reader sees (U+202A–U+202E embeddings and overrides,
 * U+2066–U+2069 isolates): `‮moc.live` must not read as `evil.com`. Our own texts put isolates
 * back where they belong (i18n.ts), around each value, after this.
 */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

export function withoutBidiControls(text: string): string {
  return text.replace(BIDI_CONTROLS, '');
}

/** Every string in a JSON value (keys included), without bidirectional controls; a new value, the input untouched. */
export function withoutBidiControlsDeep<T>(value: T): T {
  if (typeof value === 'string') return withoutBidiControls(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withoutBidiControlsDeep(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [withoutBidiControls(k), withoutBidiControlsDeep(v as unknown)])) as T;
  }
  return value;
}
