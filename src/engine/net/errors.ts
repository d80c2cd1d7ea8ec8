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
