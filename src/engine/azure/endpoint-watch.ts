/**
 * Watches what the Azure SDKs' HTTP requests met on the network. @azure/identity reports an
 * authority it could not reach as "endpoints_resolution_error" or "IMDS endpoint not available",
 * without the host or the cause, and a request still pending when our deadline fires leaves no
 * error at all; the transport, which every SDK client here shares, still knows both.
 *
 * Through a proxy, the transport also knows whether the proxy ever answered CONNECT: a failure
 * before that answer is the proxy's, not the endpoint's (see proxy-route.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { routeThroughProxy, type ProxyRoute } from './proxy-route.js';
import { carriedUnreachable, EndpointUnreachableError, proxyFailureOf, proxyStatusFailure, type AzureEndpoint, type Unreachable } from './unreachable.js';
import { transportFailureOf } from '../net/errors.js';

/** Which Azure endpoint a host is, or undefined for hosts this run does not hold against anyone. */
export type EndpointOf = (host: string) => AzureEndpoint | undefined;

interface Attempt {
  endpoint: AzureEndpoint;
  host: string;
  port: number;
  started: number;
  /** The proxy the request goes through, and its answer to CONNECT once it gave one. */
  route?: ProxyRoute;
}

/**
 * What @azure/identity throws when sign-in failed, whatever the network did. For a known authority
 * (login.microsoftonline.com, no discovery request) MSAL reports any transport failure of the token
 * request as `network_error`, thrown as AuthenticationRequiredError.
 */
const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationError', 'AuthenticationRequiredError']);
/** Endpoints a credential talks to, before any service sees a token. */
const SIGN_IN: AzureEndpoint[] = ['entra', 'imds'];

const seconds = (ms: number): number => Math.round(ms / 100) / 10;

function codeOf(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && code !== 'REQUEST_SEND_ERROR') return code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

const isAbort = (err: unknown): boolean => err instanceof Error && (err.name === 'AbortError' || err.name === 'TimeoutError');

export class EndpointWatch {
  private readonly failures: Unreachable[] = [];
  private readonly pending = new Set<Attempt>();
  private inner: Promise<HttpClient> | undefined;

  /** `inner`: the client that really sends (the SDKs' default, loaded when first used). */
  constructor(
    private readonly endpointOf: EndpointOf,
    inner?: HttpClient,
  ) {
    if (inner) this.inner = Promise.resolve(inner);
  }

  /** The HTTP client to give every credential and SDK client of the run (the SDKs' default, watched). */
  readonly httpClient: HttpClient = {
    sendRequest: async (request: PipelineRequest): Promise<PipelineResponse> => {
      this.inner ??= import('@azure/core-rest-pipeline').then((m) => m.createDefaultHttpClient());
      const client = await this.inner;
      const attempt = this.attemptFor(request.url);
      if (!attempt) return client.sendRequest(request);
      const route = routeThroughProxy(request, attempt.host);
      if (route) attempt.route = route;
      this.pending.add(attempt);
      try {
        const response = await client.sendRequest(request);
        // https-proxy-agent hands a refused CONNECT on as if the endpoint had answered with the proxy's
        // status (squid's 403 page, a 407): ARM would read "forbidden", Entra an unreadable discovery.
        const refused = this.proxyRefusal(attempt);
        if (refused) {
          this.failures.push(refused);
          throw new EndpointUnreachableError(refused);
        }
        return response;
      } catch (err) {
        if (!(err instanceof EndpointUnreachableError)) this.record(attempt, err);
        throw err;
      } finally {
        this.pending.delete(attempt);
        route?.stop();
      }
    },
  };

  private proxyRefusal(attempt: Attempt): Unreachable | undefined {
    const status = attempt.route?.connectStatus;
    if (!attempt.route || status === undefined || status === 200) return undefined;
    const { endpoint, host, port } = attempt;
    return { endpoint, host, port, failure: proxyStatusFailure(status), code: `CONNECT ${status}`, proxy: attempt.route.display, statusCode: status };
  }

  /** A proxy that has not answered CONNECT yet: whatever failed, failed there. */
  private unansweredProxy(attempt: Attempt): string | undefined {
    return attempt.route && attempt.route.connectStatus === undefined ? attempt.route.display : undefined;
  }

  private timedOut(attempt: Attempt): Unreachable {
    const { endpoint, host, port } = attempt;
    const proxy = this.unansweredProxy(attempt);
    const waited = seconds(performance.now() - attempt.started);
    return { endpoint, host, port, failure: proxy ? 'proxy-timeout' : 'timeout', code: 'TimeoutError', seconds: waited, ...(proxy ? { proxy } : {}) };
  }

  private attemptFor(url: string): Attempt | undefined {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return undefined;
    }
    const endpoint = this.endpointOf(parsed.hostname);
    if (!endpoint) return undefined;
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'http:' ? 80 : 443;
    return { endpoint, host: parsed.hostname, port, started: performance.now() };
  }

  private record(attempt: Attempt, err: unknown): void {
    const { endpoint, host, port } = attempt;
    // An abort is our deadline (or the SDK's own timeout, as for the IMDS ping): the request had no answer.
    if (isAbort(err)) return void this.failures.push(this.timedOut(attempt));
    const code = codeOf(err);
    const proxy = this.unansweredProxy(attempt);
    const atProxy = proxy ? proxyFailureOf(code, err instanceof Error ? err.message : String(err)) : undefined;
    if (proxy && atProxy) return void this.failures.push({ endpoint, host, port, ...atProxy, proxy, ...(atProxy.failure === 'proxy-timeout' ? { seconds: seconds(performance.now() - attempt.started) } : {}) });
    const failure = transportFailureOf(code);
    if (failure && code) this.failures.push({ endpoint, host, port, failure, code, ...(failure === 'timeout' ? { seconds: seconds(performance.now() - attempt.started) } : {}) });
  }

  /**
   * Why a call to `service` failed, when the network is why: the transport failure its own request
   * met, a sign-in endpoint the credential could not reach, or a request still waiting when the
   * deadline fired. Undefined when the network is not what failed (a 403, a missing identity).
   */
  explain(err: unknown, service?: AzureEndpoint): Unreachable | undefined {
    const scope = service ? [...SIGN_IN, service] : SIGN_IN;
    const failed = (endpoints: AzureEndpoint[]): Unreachable | undefined => this.failures.filter((f) => endpoints.includes(f.endpoint)).at(-1);
    const waiting = (endpoints: AzureEndpoint[]): Unreachable | undefined => {
      const attempt = [...this.pending].find((a) => endpoints.includes(a.endpoint));
      return attempt && this.timedOut(attempt);
    };
    const carried = carriedUnreachable(err);
    if (carried) return carried;
    if (err instanceof Error && CREDENTIAL_ERRORS.has(err.name)) return failed(SIGN_IN);
    if (isAbort(err)) return failed(SIGN_IN) ?? waiting(SIGN_IN) ?? failed(scope) ?? waiting(scope);
    const own = service && this.fromRequest(err, service);
    return own ?? (transportFailureOf(codeOf(err)) ? failed(scope) : undefined);
  }

  /** A RestError names its request: its code and host say what happened without the log. */
  private fromRequest(err: unknown, service: AzureEndpoint): Unreachable | undefined {
    const code = codeOf(err);
    const url = (err as { request?: { url?: unknown } } | undefined)?.request?.url;
    if (typeof url !== 'string') return undefined;
    const attempt = this.attemptFor(url);
    const host = attempt?.host ?? new URL(url).hostname;
    // A proxy that closed before answering leaves no code on the error; the transport recorded it.
    const atProxy = this.failures.filter((f) => f.host === host && f.proxy !== undefined).at(-1);
    const answered = (err as { statusCode?: unknown }).statusCode !== undefined;
    if (atProxy && !answered && (code === undefined || atProxy.code === code)) return atProxy;
    const failure = transportFailureOf(code);
    if (!failure || !code) return undefined;
    // The watched transport recorded it with how long it waited; a timeout is only told with that.
    const recorded = this.failures.filter((f) => f.host === host && f.code === code).at(-1);
    if (recorded || failure === 'timeout') return recorded;
    return { endpoint: attempt?.endpoint ?? service, host, port: attempt?.port ?? 443, failure, code };
  }
}

/** The watch of the run whose code is executing (async context), for clients made once per process. */
const running = new AsyncLocalStorage<EndpointWatch>();

/** Runs `work` as the run `watch` watches: requests sent through `sharedHttpClient` meanwhile are its. */
export function withWatch<T>(watch: EndpointWatch | undefined, work: () => T): T {
  return watch ? running.run(watch, work) : work();
}

let plain: Promise<HttpClient> | undefined;

/**
 * The HTTP client of the credentials and SDK clients made once per process (AzureClients): each
 * request is watched by the run that sends it, so a failure still names its host in that run's report.
 */
export const sharedHttpClient: HttpClient = {
  async sendRequest(request: PipelineRequest): Promise<PipelineResponse> {
    const watch = running.getStore();
    if (watch) return watch.httpClient.sendRequest(request);
    plain ??= import('@azure/core-rest-pipeline').then((m) => m.createDefaultHttpClient());
    return (await plain).sendRequest(request);
  },
};
