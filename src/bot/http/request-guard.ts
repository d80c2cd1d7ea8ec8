/**
 * What the bot reads of a request before anything else: its headers. Only JSON bodies, sent as they
 * are, are read at all: a multipart upload would be written to disk, and a compressed one inflated
 * in memory, before any authentication. Decided from the headers alone, so refusing costs nothing.
 */
import { shapeProblem, type ShapeLimits } from './json-shape.js';

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

/**
 * An activity the adapter can route and answer. Every field the bot reads, or the SDK copies into its
 * reply (ids, names, locale, the conversation), must have the JSON type the protocol gives it: a
 * number where a string belongs would fail the turn, or the reply's serializer, and look like an
 * unreachable connector. Ids go into the reply's URL and headers: printable ASCII, bounded.
 */
export function malformedActivity(body: unknown): GuardAnswer | undefined {
  const problem = activityProblem(body);
  return problem ? { status: 400, body: { error: 'malformed-activity', message: problem } } : undefined;
}

/** Deep enough for any card's data or Teams' channelData; a card value nested thousands deep is not one. */
const ACTIVITY_SHAPE: ShapeLimits = { maxDepth: 32, maxNodes: 20_000, maxStringLength: 256 * 1024 };
const MAX_ID = 1_000;
/** Printable ASCII: what a URL path segment and an HTTP header take as they are. */
const ID = /^[\x21-\x7E][\x20-\x7E]*$/;

type Check = (value: unknown) => string | undefined;
/** `.from` + `.id must be a string` → `.from.id must be a string`. */
const at = (where: string, problem: string): string => (/^[.[]/.test(problem) ? `${where}${problem}` : `${where} ${problem}`);
const string =
  (max: number): Check =>
  (v) =>
    typeof v !== 'string' ? 'must be a string' : v.length > max ? `longer than ${max} characters` : undefined;
/** A name the adapter routes by: present and not empty. */
const name =
  (max: number): Check =>
  (v) =>
    typeof v === 'string' && v.length === 0 ? 'must not be empty' : string(max)(v);
const id: Check = (v) => (typeof v !== 'string' ? 'must be a string' : v.length === 0 || v.length > MAX_ID ? `must be 1–${MAX_ID} characters` : ID.test(v) ? undefined : 'must be printable ASCII');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const object =
  (fields: Record<string, Check>, required: string[] = []): Check =>
  (v) => {
    if (!isObject(v)) return 'must be an object';
    for (const name of required) if (v[name] === undefined) return `.${name} is missing`;
    for (const [name, check] of Object.entries(fields)) {
      if (v[name] === undefined) continue;
      const problem = check(v[name]);
      if (problem) return at(`.${name}`, problem);
    }
    return undefined;
  };
const arrayOf =
  (item: Check): Check =>
  (v) => {
    if (!Array.isArray(v)) return 'must be an array';
    for (const [i, element] of v.entries()) {
      const problem = item(element);
      if (problem) return at(`[${i}]`, problem);
    }
    return undefined;
  };
const anyObject: Check = (v) => (isObject(v) ? undefined : 'must be an object');
const account = object({ id, name: string(512), role: string(32), aadObjectId: string(64) }, ['id']);
/** Entities are read by their type; a mention (the SDK removes it from the text) names who. */
const entity: Check = (v) => {
  const problem = object({ type: string(128), text: string(1024) }, ['type'])(v);
  if (problem) return problem;
  const { type } = v as { type: string };
  return type.toLowerCase() === 'mention' ? object({ mentioned: account }, ['mentioned'])(v) : undefined;
};

const ACTIVITY = object(
  {
    type: name(64),
    id,
    replyToId: id,
    channelId: name(64),
    serviceUrl: string(2048),
    locale: string(256),
    text: string(256 * 1024),
    name: string(256),
    timestamp: string(64),
    from: account,
    recipient: account,
    conversation: object({ id, name: string(512), tenantId: string(64), conversationType: string(64), isGroup: boolean }, ['id']),
    entities: arrayOf(entity),
    attachments: arrayOf(anyObject),
    membersAdded: arrayOf(account),
    membersRemoved: arrayOf(account),
    channelData: anyObject,
  },
  ['type', 'channelId', 'conversation', 'from', 'recipient'],
);

/** Undefined when the activity may go to the adapter; otherwise why not, in a few words. */
export function activityProblem(body: unknown): string | undefined {
  const shape = shapeProblem(body, ACTIVITY_SHAPE);
  if (shape) return `the activity: ${shape}`;
  const problem = ACTIVITY(body);
  return problem ? at('activity', problem) : undefined;
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
