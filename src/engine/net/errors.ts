/** What an error was, for evidence and logs: its code (looking through undici's wrapping) and message. */
export function errorInfo(err: unknown): { code: string; message: string } {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? code : err.name, message: err.message };
  }
  return { code: 'UNKNOWN', message: String(err) };
}

/** The errno-style code of an error, looking through `cause` chains (undici wraps socket errors). */
export function errorCode(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR')) return code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  const top = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof top === 'string' ? top : err instanceof Error ? err.name : 'UNKNOWN';
}

/** What a failed connection says the network did, in one word; every outbound call reads codes with this one table. */
export type TransportFailure = 'refused' | 'timeout' | 'dns' | 'tls' | 'reset' | 'unreachable';

const FAILURES: ReadonlyArray<[TransportFailure, RegExp]> = [
  ['refused', /^ECONNREFUSED$/],
  ['timeout', /^(ETIMEDOUT|ESOCKETTIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|TimeoutError)$/],
  ['dns', /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|EAI_NODATA|ENODATA|ESERVFAIL)$/],
  ['reset', /^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET)$/],
  ['unreachable', /^(ENETUNREACH|EHOSTUNREACH|EHOSTDOWN|ENETDOWN)$/],
  // OpenSSL's and Node's names for a certificate or handshake that failed.
  ['tls', /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/],
];

/** What a system error code says the network did; undefined for anything that is not a transport failure. */
export function transportFailureOf(code: string | undefined): TransportFailure | undefined {
  if (!code) return undefined;
  return FAILURES.find(([, pattern]) => pattern.test(code))?.[0];
}
