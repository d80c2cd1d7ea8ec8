/** The proxy probe: what the proxy the environment selects answers to CONNECT. */
import type { Duplex } from 'node:stream';
import { Client } from '../net/undici-lean.js';
import { proxyAuthorization, type ProxyChoice } from '../net/proxy-env.js';
import type { JsonObject } from '../report/types.js';
import { errorCode, errorInfo } from '../net/errors.js';
import { isTimeout } from '../net/deadlines.js';
import { type Outcome } from './evidence.js';
import type { OutcomeCode } from './outcomes.js';

const PROXY_STATUS: Record<number, OutcomeCode> = { 403: 'proxy.denied', 407: 'proxy.auth-required' };

/** Asks the proxy for a tunnel to host:443. Every answer, and the lack of one, is an outcome. */
export async function probeProxyConnect(
  proxy: ProxyChoice,
  host: string,
  signal: AbortSignal,
): Promise<{ outcome: Outcome; socket?: Duplex }> {
  const data: JsonObject = { proxy: proxy.display, target: `${host}:443` };
  const client = new Client(proxy.url.origin, { connectTimeout: 60_000 });
  const headers: Record<string, string> = { host: `${host}:443` };
  const auth = proxyAuthorization(proxy.url);
  if (auth) headers['proxy-authorization'] = auth;
  try {
    const { statusCode, socket } = await client.connect({ path: `${host}:443`, headers, signal });
    if (statusCode === 200) return { outcome: { status: 'pass', outcome: 'proxy.ok', data }, socket };
    socket.destroy();
    return { outcome: { status: 'fail', outcome: PROXY_STATUS[statusCode] ?? 'proxy.status', data: { ...data, statusCode } } };
  } catch (err) {
    void client.destroy().catch(() => undefined);
    return { outcome: proxyFailure(err, data) };
  }
}

export function proxyFailure(err: unknown, data: JsonObject): Outcome {
  if (isTimeout(err)) return { status: 'fail', outcome: 'proxy.timeout', data };
  const code = errorCode(err);
  const outcome =
    code === 'ECONNREFUSED'
      ? 'proxy.refused'
      : code === 'ENOTFOUND' || code === 'EAI_AGAIN'
        ? 'proxy.dns'
        : code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || /other side closed/i.test(String(err))
          ? 'proxy.eof'
          : 'proxy.error';
  return { status: 'fail', outcome, data, error: errorInfo(err) };
}
