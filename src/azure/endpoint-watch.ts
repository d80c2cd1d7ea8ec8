/**
 * Watches what the Azure SDKs' HTTP requests met on the network. @azure/identity reports an
 * authority it could not reach as "endpoints_resolution_error" or "IMDS endpoint not available",
 * without the host or the cause, and a request still pending when our deadline fires leaves no
 * error at all; the transport, which every SDK client here shares, still knows both.
 */
import type { HttpClient, PipelineRequest, PipelineResponse } from '@azure/core-rest-pipeline';
import { transportFailureOf, type AzureEndpoint, type Unreachable } from './unreachable.js';

/** Which Azure endpoint a host is, or undefined for hosts this run does not hold against anyone. */
export type EndpointOf = (host: string) => AzureEndpoint | undefined;

interface Attempt {
  endpoint: AzureEndpoint;
  host: string;
  port: number;
  started: number;
}

const CREDENTIAL_ERRORS = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError', 'AuthenticationError']);
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
      this.pending.add(attempt);
      try {
        return await client.sendRequest(request);
      } catch (err) {
        this.record(attempt, err);
        throw err;
      } finally {
        this.pending.delete(attempt);
      }
    },
  };

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
    if (isAbort(err)) return void this.failures.push({ endpoint, host, port, failure: 'timeout', code: 'TimeoutError', seconds: seconds(performance.now() - attempt.started) });
    const code = codeOf(err);
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
      return attempt && { endpoint: attempt.endpoint, host: attempt.host, port: attempt.port, failure: 'timeout', code: 'TimeoutError', seconds: seconds(performance.now() - attempt.started) };
    };
    if (err instanceof Error && CREDENTIAL_ERRORS.has(err.name)) return failed(SIGN_IN);
    if (isAbort(err)) return failed(SIGN_IN) ?? waiting(SIGN_IN) ?? failed(scope) ?? waiting(scope);
    const own = service && this.fromRequest(err, service);
    return own ?? (transportFailureOf(codeOf(err)) ? failed(scope) : undefined);
  }

  /** A RestError names its request: its code and host say what happened without the log. */
  private fromRequest(err: unknown, service: AzureEndpoint): Unreachable | undefined {
    const code = codeOf(err);
    const failure = transportFailureOf(code);
    const url = (err as { request?: { url?: unknown } } | undefined)?.request?.url;
    if (!failure || !code || typeof url !== 'string') return undefined;
    const attempt = this.attemptFor(url);
    const host = attempt?.host ?? new URL(url).hostname;
    // The watched transport recorded it with how long it waited; a timeout is only told with that.
    const recorded = this.failures.filter((f) => f.host === host && f.code === code).at(-1);
    if (recorded || failure === 'timeout') return recorded;
    return { endpoint: attempt?.endpoint ?? service, host, port: attempt?.port ?? 443, failure, code };
  }
}
