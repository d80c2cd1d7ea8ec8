/**
 * What the bot reads of a request before anything else: its headers. Only JSON bodies, sent as they
 * are, are read at all: a multipart upload would be written to disk, and a compressed one inflated
 * in memory, before any authentication. Decided from the headers alone, so refusing costs nothing.
 */
export interface GuardAnswer {
  status: number;
  body: { error: string; message: string };
}

const JSON_TYPE = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

/** Undefined when the request may be read; otherwise the 4xx it gets, with a short reason. */
export function refuseBeforeReading(headers: Record<string, string | string[] | undefined>): GuardAnswer | undefined {
  const type = String(headers['content-type'] ?? '').trim();
  if (!JSON_TYPE.test(type)) {
    return { status: 415, body: { error: 'unsupported-media-type', message: 'only application/json bodies are accepted' } };
  }
  const encoding = String(headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    return { status: 415, body: { error: 'unsupported-encoding', message: 'compressed bodies are not accepted; send the JSON as it is' } };
  }
  return undefined;
}

/** An activity the adapter can route: an object with a type and a conversation id. */
export function malformedActivity(body: unknown): GuardAnswer | undefined {
  const activity = body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const conversation = activity?.conversation;
  const conversationId = conversation !== null && typeof conversation === 'object' ? (conversation as Record<string, unknown>).id : undefined;
  if (typeof activity?.type === 'string' && typeof conversationId === 'string' && conversationId.length > 0) return undefined;
  return { status: 400, body: { error: 'malformed-activity', message: 'an activity needs a type and conversation.id' } };
}

/** The Microsoft 365 Agents Playground's page, the one browser origin a local bot serves. */
const PLAYGROUND_ORIGINS = new Set(['http://localhost:56150', 'http://127.0.0.1:56150']);

/** A request a web page made (it carries an Origin), for a bot that authenticates no one. */
export function refuseBrowser(headers: Record<string, string | string[] | undefined>): GuardAnswer | undefined {
  const origin = headers.origin;
  if (origin === undefined || PLAYGROUND_ORIGINS.has(String(origin))) return undefined;
  return { status: 403, body: { error: 'browser-request', message: 'the unauthenticated local bot does not take requests from web pages' } };
}

/** 127.0.0.0/8, ::1 and localhost: the only places an unauthenticated bot may listen or reply to. */
export function isLoopbackHost(host: string): boolean {
  return /^(127(\.\d{1,3}){3}|::1|\[::1\]|localhost)$/i.test(host);
}

function hostOf(url: unknown): string {
  if (typeof url !== 'string') return '';
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Unauthenticated, replies go only to a connector on this machine: no card to any serviceUrl. */
export function nonLocalServiceUrl(body: unknown): GuardAnswer | undefined {
  if (isLoopbackHost(hostOf((body as { serviceUrl?: unknown }).serviceUrl))) return undefined;
  return { status: 400, body: { error: 'service-url', message: 'the unauthenticated local bot replies only to a serviceUrl on this machine' } };
}
