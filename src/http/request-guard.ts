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
