/**
 * Secrets never reach a ticket: tokens, keys and passwords in connection strings, query strings and
 * JSON, credentials in URLs. Applied to every string of a ticket request before it is stored or sent.
 */
const MARK = '[REDACTED]';

const RULES: [RegExp, string][] = [
  // JWTs (Entra access tokens, ACR refresh and access tokens).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, MARK],
  // Authorization header values.
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MARK}`],
  // user:password@ in any URL (proxies, registries, webhooks).
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:]+:[^\s/@]+@/gi, `$1${MARK}@`],
  // key=value pairs in connection strings and query strings (SAS signatures included).
  [/\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd|ClientSecret|client_secret|access_token|refresh_token|id_token|sig|token|secret|api[-_]?key|apikey)=([^;&\s"'<>]+)/gi, `$1=${MARK}`],
  // Environment variables: AZURE_CLIENT_SECRET=…, REGISTRY_PASSWORD=…
  [/\b([A-Z][A-Z0-9_]*(?:SECRET|PASSWORD|TOKEN|API_KEY|ACCESS_KEY))=(\S+)/g, `$1=${MARK}`],
  // "password": "…" and its kin in JSON or YAML pasted into a description.
  [/(["']?(?:password|passwd|secret|token|accessToken|refreshToken|clientSecret|apiKey|auth)["']?\s*[:=]\s*["'])[^"']+(["'])/gi, `$1${MARK}$2`],
];

export function redactSecrets(text: string): string {
  return RULES.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}

/** The same value with every string in it redacted (objects and arrays copied). */
export function redactDeep<T>(value: T): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
