/** The proxy path: which proxy the environment selects, and what it answers to CONNECT. */
import type { Duplex } from 'node:stream';
import { Client } from './undici-lean.js';
import { getProxyForUrl } from 'proxy-from-env';
import type { JsonObject } from '../report/types.js';
import { errorCode, errorInfo, isTimeout, type Outcome } from './evidence.js';

export interface ProxyChoice {
  url: URL;
  /** The proxy URL with any credentials removed, safe to print and to store. */
  display: string;
}

/** The proxy HTTPS_PROXY / NO_PROXY select for `https://<host>/`, as Docker and most clients read them. */
export function selectProxy(host: string): ProxyChoice | undefined {
  const chosen = getProxyForUrl(`https://${host}/`);
  if (!chosen) return undefined;
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(chosen) ? chosen : `http://${chosen}`);
  return { url, display: redactUrl(url) };
}

export function redactUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username || copy.password) {
    copy.username = 'REDACTED';
    copy.password = '';
  }
  return copy.href.replace(/\/$/, '');
}

export function proxyAuthorization(url: URL): string | undefined {
  if (!url.username) return undefined;
  const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return `Basic ${Buffer.from(credentials).toString('base64')}`;
}

const PROXY_STATUS: Record<number, string> = { 403: 'proxy.denied', 407: 'proxy.auth-required' };

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
