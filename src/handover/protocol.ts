/**
 * The hand-over of a client's report to the bot: what `acr-check --send` and `POST /api/reports`
 * agree on. The code is the only credential: one-time, short-lived, bound to one conversation.
 */
import { isHttpsOrLoopback } from '../engine/net/transport-rule.js';

export const REPORTS_PATH = '/api/reports';
/** The CLI as one self-contained file, and its SHA-256 as `sha256sum` prints it: what a failing machine downloads. */
export const CLI_FILE_NAME = 'acr-check.mjs';
export const CLI_PATH = `/${CLI_FILE_NAME}`;
export const CLI_SHA256_PATH = `${CLI_PATH}.sha256`;
/** The largest upload the bot reads (the HTTP body `{ code, report }`); its activities have the same bound. */
export const MAX_REPORT_BYTES = 256 * 1024;

/** Crockford's base32 (no I, L, O, U), in two groups of five: `7KQ2M-4XPZ0`. */
export const CODE_ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const CODE_PATTERN = /^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/;

/** What people type: any case, spaces around, O for 0, I or L for 1. Undefined when it cannot be a code. */
export function normalizeCode(input: string): string | undefined {
  const code = input.trim().toUpperCase().replace(/O/g, '0').replace(/[IL]/g, '1');
  return CODE_PATTERN.test(code) ? code : undefined;
}

/** Why the bot refused an upload; the CLI says it in the user's language. */
export const REFUSALS = ['unknown-code', 'expired-code', 'used-code', 'wrong-registry', 'invalid-report', 'too-large', 'too-many', 'not-posted'] as const;
export type Refusal = (typeof REFUSALS)[number];

export interface IntakeAnswer {
  status: number;
  body: { status?: 'posted'; error?: Refusal; message: string; retryAfter?: number };
}

/** The bot's base address for --send: https, or http to this machine only. Undefined when it is not one. */
export function parseBotUrl(input: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.search || url.hash) return undefined;
  return isHttpsOrLoopback(url) ? url : undefined;
}

/** The bot's base address (with or without a path prefix), whichever of its endpoints was given. */
export function botBase(bot: URL): string {
  return `${bot.origin}${bot.pathname.replace(/\/+$/, '').replace(/\/api\/(messages|reports)$/, '')}`;
}

/** Where the report goes: the bot's base address + /api/reports. */
export function reportsUrl(bot: URL): string {
  return `${botBase(bot)}${REPORTS_PATH}`;
}
