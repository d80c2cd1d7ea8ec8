/**
 * The HTTP transport every outbound call of the product shares (probes, tickets, uploads): one
 * undici dispatcher per run, direct or through the proxy the environment selects.
 */
import type { Client as UndiciClient, Dispatcher } from 'undici';
import { Agent, Client, ProxyAgent } from './undici-lean.js';
import { proxyAuthorization, type ProxyChoice } from './proxy-env.js';

export const USER_AGENT = 'acr-doctor (+acr-check)';

/** One dispatcher per run: direct, or through the proxy the environment selects. */
export function makeDispatcher(proxy: ProxyChoice | undefined, timeoutMs: number): Dispatcher {
  const timeouts = { headersTimeout: timeoutMs, bodyTimeout: timeoutMs, connect: { timeout: timeoutMs } };
  if (!proxy) return new Agent(timeouts);
  const token = proxyAuthorization(proxy.url);
  const uri = new URL(proxy.url.href);
  uri.username = '';
  uri.password = '';
  return new ProxyAgent({
    uri: uri.href,
    ...(token ? { token } : {}),
    ...timeouts,
    proxyTls: { timeout: timeoutMs },
    clientFactory: (origin: URL, options: object) => new TunnelClient(origin, options as UndiciClient.Options),
  });
}

/**
 * The client that asks the proxy for tunnels. undici treats a socket error while connecting as
 * recoverable and reconnects for ever, so a proxy that closes every CONNECT (EOF) would hang the
 * request past any deadline; here that error ends the request, as it ends a real client's pull.
 */
class TunnelClient extends Client {
  override async connect(options: Dispatcher.ConnectOptions): Promise<Dispatcher.ConnectData>;
  override connect(options: Dispatcher.ConnectOptions, callback: (err: Error | null, data: Dispatcher.ConnectData) => void): void;
  override connect(
    options: Dispatcher.ConnectOptions,
    callback?: (err: Error | null, data: Dispatcher.ConnectData) => void,
  ): Promise<Dispatcher.ConnectData> | void {
    const tunnel = super.connect(options).catch((err: unknown) => {
      throw new ProxyClosedError(err);
    });
    if (!callback) return tunnel;
    tunnel.then((data) => callback(null, data), (err: Error) => callback(err, undefined as unknown as Dispatcher.ConnectData));
  }
}

export class ProxyClosedError extends Error {
  readonly code = 'PROXY_CLOSED';
  constructor(override readonly cause: unknown) {
    super(`the proxy closed the tunnel: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ProxyClosedError';
  }
}
