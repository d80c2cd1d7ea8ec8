/** HTTPS probes of ACR's REST surface with undici: `/v2/`, the token endpoint, data endpoints. */
import type { Dispatcher } from 'undici';
import { request } from '../net/undici-lean.js';
import { USER_AGENT } from '../net/dispatcher.js';
import type { JsonObject } from '../report/types.js';
import { parseAcrError, parseChallenge, parseRetryAfter } from './acr-errors.js';
import { errorCode, errorInfo, transportFailureOf } from '../net/errors.js';
import { isTimeout, raceSignal } from '../net/deadlines.js';
import { type Outcome } from './evidence.js';
import { systemLookup } from './system-lookup.js';
import { classified } from './address.js';
import { addressesJson } from './dns.js';
import type { HttpKind, TransportFailureWord } from './outcomes.js';

/** The checks of ACR's own API (the data endpoints answer as storage does, not as ACR). */
type AcrApiKind = Exclude<HttpKind, 'data'>;

const MAX_BODY_BYTES = 64 * 1024;
export interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface FormPost {
  form: Record<string, string>;
}

/** One request (GET, or POST of a form), bounded by the signal even where undici would wait on (a stuck TLS handshake, say). */
export function httpGet(url: string, dispatcher: Dispatcher, signal: AbortSignal, post?: FormPost): Promise<HttpAnswer> {
  return raceSignal(readAnswer(url, dispatcher, signal, post), signal);
}

async function readAnswer(url: string, dispatcher: Dispatcher, signal: AbortSignal, post?: FormPost): Promise<HttpAnswer> {
  const requestHeaders: Record<string, string> = { 'user-agent': USER_AGENT };
  if (post) requestHeaders['content-type'] = 'application/x-www-form-urlencoded';
  const response = await request(url, {
    method: post ? 'POST' : 'GET',
    dispatcher,
    signal,
    headers: requestHeaders,
    ...(post ? { body: new URLSearchParams(post.form).toString() } : {}),
  });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = chunk as Buffer;
    chunks.push(buffer);
    size += buffer.length;
    if (size >= MAX_BODY_BYTES) {
      response.body.destroy();
      break;
    }
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { statusCode: response.statusCode, headers, body: Buffer.concat(chunks).toString('utf8').slice(0, MAX_BODY_BYTES) };
}

/** The transport failure behind a failed request, as an outcome suffix. */
/** The status a proxy answered CONNECT with, as undici words it in the error (or its cause). */
function proxyStatusOf(err: unknown): string | undefined {
  const message = err instanceof Error ? `${err.message} ${String((err as Error & { cause?: unknown }).cause ?? '')}` : String(err);
  return /Proxy response \((\d{3})\)/.exec(message)?.[1];
}

export function transportFailure(err: unknown): TransportFailureWord {
  const code = errorCode(err);
  const message = err instanceof Error ? `${err.message} ${String((err as Error & { cause?: unknown }).cause ?? '')}` : String(err);
  // undici reports a proxy's refusal as an aborted request (UND_ERR_ABORTED), which would read as a timeout.
  const proxyStatus = proxyStatusOf(err);
  if (proxyStatus === '403') return 'proxy-denied';
  if (proxyStatus === '407') return 'proxy-auth-required';
  if (proxyStatus) return 'proxy-status';
  if (code === 'PROXY_CLOSED') return 'proxy-closed';
  if (isTimeout(err)) return 'timeout';
  // The table every outbound call shares; a probe tells a certificate for another name from one not trusted.
  const failure = transportFailureOf(code);
  if (failure === 'tls') return code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'tls-name' : /CERT|SELF_SIGNED|UNABLE_TO/.test(code) ? 'tls-untrusted' : 'error';
  if (failure) return failure;
  if (/other side closed|socket hang up/i.test(message)) return 'reset';
  return 'error';
}

function transportOutcome(prefix: HttpKind, err: unknown, data: JsonObject): Outcome {
  const failure = transportFailure(err);
  const statusCode = proxyStatusOf(err);
  return { status: 'fail', outcome: `${prefix}.transport.${failure}`, data: statusCode ? { ...data, statusCode: Number(statusCode) } : data, error: errorInfo(err) };
}

/** The ACR-specific reading of an error status shared by every endpoint. */
function errorStatusOutcome(prefix: AcrApiKind, answer: HttpAnswer, data: JsonObject): Outcome | undefined {
  if (answer.statusCode === 403) {
    const denial = parseAcrError(answer.body);
    if (denial?.code === 'DENIED') {
      const details: JsonObject = { ...data, message: denial.message };
      if (denial.clientIp) details.clientIp = denial.clientIp;
      if (denial.correlationId) details.correlationId = denial.correlationId;
      return { status: 'fail', outcome: `${prefix}.denied`, data: details };
    }
    return { status: 'fail', outcome: `${prefix}.forbidden`, data };
  }
  if (answer.statusCode === 429) {
    const retryAfter = parseRetryAfter(answer.headers['retry-after']);
    return { status: 'fail', outcome: `${prefix}.throttled`, data: retryAfter === undefined ? data : { ...data, retryAfter } };
  }
  return undefined;
}

/** `GET /v2/`: a healthy ACR answers 401 with a Bearer challenge naming realm and service. */
/**
 * One request to an ACR endpoint: a transport failure, or ACR's shared reading of 403 and 429, or
 * else what `interpret` makes of the answer for this endpoint.
 */
export async function askAcr(
  prefix: AcrApiKind,
  url: string,
  data: JsonObject,
  dispatcher: Dispatcher,
  signal: AbortSignal,
  interpret: (answer: HttpAnswer, seen: JsonObject) => Outcome,
  post?: FormPost,
): Promise<Outcome> {
  let answer: HttpAnswer;
  try {
    answer = await httpGet(url, dispatcher, signal, post);
  } catch (err) {
    return transportOutcome(prefix, err, data);
  }
  const seen = { ...data, statusCode: answer.statusCode };
  return errorStatusOutcome(prefix, answer, seen) ?? interpret(answer, seen);
}

export function probeV2(loginServer: string, dispatcher: Dispatcher, signal: AbortSignal): Promise<Outcome> {
  const url = `https://${loginServer}/v2/`;
  return askAcr('v2', url, { url }, dispatcher, signal, readV2);
}

function readV2(answer: HttpAnswer, seen: JsonObject): Outcome {
  if (answer.statusCode === 401) {
    const challenge = parseChallenge(answer.headers['www-authenticate']);
    if (challenge?.scheme === 'bearer' && challenge.params.realm && challenge.params.service) {
      return { status: 'pass', outcome: 'v2.challenge', data: { ...seen, realm: challenge.params.realm, service: challenge.params.service } };
    }
    return { status: 'warn', outcome: 'v2.no-challenge', data: { ...seen, challenge: answer.headers['www-authenticate'] ?? '' } };
  }
  if (answer.statusCode === 200) return { status: 'pass', outcome: 'v2.anonymous', data: seen };
  return { status: 'fail', outcome: 'v2.unexpected', data: seen };
}

/**
 * Anonymous `GET /oauth2/token`: 401 (authentication required) or 200 (anonymous pull) prove the
 * token service is reachable; 403 DENIED is the firewall; 429 is throttling.
 */
export function probeToken(loginServer: string, dispatcher: Dispatcher, signal: AbortSignal): Promise<Outcome> {
  const query = new URLSearchParams({ service: loginServer, scope: 'repository:acr-doctor/probe:pull' });
  const url = `https://${loginServer}/oauth2/token?${query.toString()}`;
  return askAcr('token', url, { url: `https://${loginServer}/oauth2/token` }, dispatcher, signal, (answer, seen) => {
    if (answer.statusCode === 401) return { status: 'pass', outcome: 'token.auth-required', data: seen };
    if (answer.statusCode === 200) return { status: 'pass', outcome: 'token.anonymous', data: seen };
    return { status: 'fail', outcome: 'token.unexpected', data: seen };
  });
}

/** A dedicated data endpoint answers an anonymous `GET /` with 403: any HTTP answer proves it reachable. */
export async function probeDataEndpoint(host: string, dispatcher: Dispatcher, signal: AbortSignal): Promise<Outcome> {
  const url = `https://${host}/`;
  const data: JsonObject = { host, url };
  try {
    data.addresses = addressesJson((await systemLookup(host, signal)).map(classified));
  } catch (err) {
    return { status: 'fail', outcome: isTimeout(err) ? 'data.dns-timeout' : 'data.dns-failed', data, error: errorInfo(err) };
  }
  try {
    const answer = await httpGet(url, dispatcher, signal);
    const seen = { ...data, statusCode: answer.statusCode };
    const denial = answer.statusCode === 403 ? parseAcrError(answer.body) : undefined;
    if (denial?.code === 'DENIED' && denial.clientIp) {
      return { status: 'fail', outcome: 'data.denied', data: { ...seen, clientIp: denial.clientIp, message: denial.message } };
    }
    return { status: 'pass', outcome: 'data.reachable', data: seen };
  } catch (err) {
    return transportOutcome('data', err, data);
  }
}
