/**
 * A failed call to the Bot Framework connector (or any outbound call) as one log line: the kind of
 * failure, the HTTP status, the network code and the first line of the message, bounded. Never the
 * raw error: the SDK's errors carry the request, and with it the bot's own bearer token.
 */
export interface ErrorLine {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
}

const MAX_MESSAGE = 300;

export function errorLine(err: unknown): ErrorLine {
  if (!(err instanceof Error)) return { name: typeof err, message: String(err).split('\n')[0]!.slice(0, MAX_MESSAGE) };
  const fields = err as Error & { statusCode?: unknown; status?: unknown; code?: unknown; cause?: unknown };
  const status = typeof fields.statusCode === 'number' ? fields.statusCode : typeof fields.status === 'number' ? fields.status : undefined;
  const cause = fields.cause as { code?: unknown } | undefined;
  const code = typeof fields.code === 'string' ? fields.code : typeof cause?.code === 'string' ? cause.code : undefined;
  const message = (err.message.split('\n')[0] ?? '').replace(/Bearer\s+[\w.~+/=-]+/gi, 'Bearer [redacted]').slice(0, MAX_MESSAGE);
  return { name: err.name, message, ...(status !== undefined ? { statusCode: status } : {}), ...(code ? { code } : {}) };
}

/** Where one of our own failures happened: the frames of its stack, without its message (which errorLine gives, bounded). */
export function stackOf(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || !err.stack) return undefined;
  return err.stack
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 12)
    .map((line) => line.trim());
}

/** An error passed on without what it carried (its request, its cause): only what errorLine keeps. */
export class BoundedError extends Error {
  readonly statusCode?: number;
  readonly code?: string;

  constructor(err: unknown) {
    const line = errorLine(err);
    super(line.message);
    this.name = line.name;
    if (line.statusCode !== undefined) this.statusCode = line.statusCode;
    if (line.code !== undefined) this.code = line.code;
  }
}
