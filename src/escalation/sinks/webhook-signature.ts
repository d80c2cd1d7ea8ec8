/**
 * The signature on every webhook request, and its check for receivers (docs/tickets-webhook.md).
 * It covers the whole request, not only the body: an empty-bodied lookup signed for one key must
 * not open another key's ticket, and a captured POST must not be sent again under a new
 * Idempotency-Key to make a second ticket.
 *
 *   X-Acr-Doctor-Signature: t=<unix seconds>,v2=<hex HMAC-SHA256(secret, canonical)>
 *   canonical = "<t>\n<METHOD>\n<path?query>\n<Idempotency-Key>\n<hex SHA-256(body)>"
 *
 * The version is `v2`, not `v1`: a receiver still checking the body-only `v1` finds no `v1` and
 * refuses every request, rather than accepting requests it cannot tell apart.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-acr-doctor-signature';
/** How far a signature's time may be from the receiver's clock, either way. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export interface SignedRequest {
  /** As on the request line: `GET`, `POST`. */
  method: string;
  /** Path and query as on the request line, not decoded (`/tickets/acr-doctor-1f…`). */
  path: string;
  idempotencyKey: string;
  /** The bytes sent (empty for a lookup); a receiver passes what it read, before parsing it. */
  body: string | Uint8Array;
}

/** `valid`, or why not: no or unreadable header, a time outside the window, a digest for another request. */
export type SignatureVerdict = 'valid' | 'malformed' | 'expired' | 'mismatch';

export interface VerifyOptions {
  /** The receiver's clock, in milliseconds (tests move it). */
  now?: number;
  toleranceSeconds?: number;
}

/** The string the HMAC is taken over; undefined for fields no HTTP request can carry (a line break). */
export function canonicalRequest(t: number, request: SignedRequest): string | undefined {
  const fields = [request.method, request.path, request.idempotencyKey];
  if (fields.some((field) => /[\r\n]/.test(field))) return undefined;
  const bodyDigest = createHash('sha256').update(request.body).digest('hex');
  return [String(t), ...fields, bodyDigest].join('\n');
}

function digest(secret: string, canonical: string): Buffer {
  return createHmac('sha256', secret).update(canonical).digest();
}

/** The header value for a request sent now. */
export function signRequest(secret: string, request: SignedRequest, now = Date.now()): string {
  const t = Math.floor(now / 1000);
  const canonical = canonicalRequest(t, request);
  if (canonical === undefined) throw new RangeError('a webhook request field contains a line break');
  return `t=${t},v2=${digest(secret, canonical).toString('hex')}`;
}

/** Reads `t=…,v2=…`; other parts (a later version beside this one) are ignored. */
function parseHeader(header: string): { t: number; v2: Buffer } | undefined {
  const parts = new Map<string, string>();
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at > 0 && !parts.has(part.slice(0, at).trim())) parts.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const t = parts.get('t');
  const v2 = parts.get('v2');
  if (!t || !/^\d{1,12}$/.test(t) || !v2 || !/^[0-9a-f]{64}$/i.test(v2)) return undefined;
  return { t: Number(t), v2: Buffer.from(v2, 'hex') };
}

/**
 * A receiver's check of one request: the header read, the time within the window, then the digest
 * compared in constant time. Only `valid` may be acted on.
 */
export function verifySignature(secret: string, header: string | undefined, request: SignedRequest, options: VerifyOptions = {}): SignatureVerdict {
  const parsed = header === undefined ? undefined : parseHeader(header);
  if (!parsed) return 'malformed';
  const now = (options.now ?? Date.now()) / 1000;
  if (Math.abs(now - parsed.t) > (options.toleranceSeconds ?? SIGNATURE_TOLERANCE_SECONDS)) return 'expired';
  const canonical = canonicalRequest(parsed.t, request);
  if (canonical === undefined) return 'malformed';
  // Both sides are 32 bytes (the header's hex is checked for 64 digits), as timingSafeEqual needs.
  return timingSafeEqual(digest(secret, canonical), parsed.v2) ? 'valid' : 'mismatch';
}
