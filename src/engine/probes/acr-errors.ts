/** Parsers for what ACR and proxies answer: the DENIED body, the Bearer challenge, Retry-After. */
import net from 'node:net';

export interface AcrDenial {
  code: string;
  message: string;
  clientIp?: string;
  correlationId?: string;
}

const CLIENT_IP = /client with IP '([^']{1,64})'/i;
const CORRELATION_ID = /CorrelationId:\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/** ACR's error body: `{"errors":[{"code":"DENIED","message":"client with IP '1.2.3.4' is not allowed access..."}]}`. */
export function parseAcrError(body: string): AcrDenial | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object') return undefined;
  const errors = (parsed as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) return undefined;
  const first: unknown = errors[0];
  if (first === null || typeof first !== 'object') return undefined;
  const { code, message } = first as { code?: unknown; message?: unknown };
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  const denial: AcrDenial = { code, message: message.slice(0, 1000) };
  const ip = CLIENT_IP.exec(message)?.[1];
  if (ip !== undefined && net.isIP(ip)) denial.clientIp = ip;
  const correlationId = CORRELATION_ID.exec(message)?.[1];
  if (correlationId !== undefined) denial.correlationId = correlationId.toLowerCase();
  return denial;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://r.azurecr.io/oauth2/token",service="r.azurecr.io"` */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const match = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pairs = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))/g;
  for (let m = pairs.exec(match[2]!); m; m = pairs.exec(match[2]!)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '');
  }
  return { scheme: match[1]!.toLowerCase(), params };
}

/** Seconds to wait, from a Retry-After header (seconds or an HTTP date). */
export function parseRetryAfter(header: string | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}
