/**
 * An Azure endpoint this machine could not get through to (Microsoft Entra, ARM, Log Analytics,
 * the instance metadata service), as plain data: which host, and what the network did. A client
 * that signs in to Azure needs these endpoints as much as the registry's own, so this is evidence.
 */
import type { JsonObject } from '../report/types.js';
import { transportFailureOf, type TransportFailure } from '../net/errors.js';

export type AzureEndpoint = 'entra' | 'arm' | 'log-analytics' | 'imds';
/**
 * What the proxy of HTTPS_PROXY did with a request for the endpoint: it answered CONNECT with 403,
 * 407 or another status, or it refused, closed, stayed silent, did not resolve, could not be routed to.
 * The endpoint itself was never asked, so these say nothing about it.
 */
export type ProxyFailure = 'proxy-denied' | 'proxy-auth-required' | 'proxy-status' | 'proxy-refused' | 'proxy-closed' | 'proxy-timeout' | 'proxy-dns' | 'proxy-unreachable';
export type EndpointFailure = TransportFailure | ProxyFailure;

export interface Unreachable {
  endpoint: AzureEndpoint;
  host: string;
  port: number;
  failure: EndpointFailure;
  /**
   * The system's own code (ECONNREFUSED, EAI_AGAIN, CERT_HAS_EXPIRED...), `TimeoutError` for our
   * deadline; for a proxy, `EOF` when it closed without answering and `CONNECT <status>` for its answer.
   */
  code: string;
  /** How long the request waited, for a timeout. */
  seconds?: number;
  /** The proxy the request went through, as shown (credentials removed), for a proxy failure. */
  proxy?: string;
  /** The proxy's answer to CONNECT, when it answered with something other than 200. */
  statusCode?: number;
}

/** The product names used in every language (Azure does not translate them). */
export const SERVICE_NAMES: Record<AzureEndpoint, string> = {
  entra: 'Microsoft Entra ID',
  arm: 'Azure Resource Manager',
  'log-analytics': 'Azure Monitor Log Analytics',
  imds: 'Azure Instance Metadata Service',
};

const PROXY_TRANSPORT: Partial<Record<TransportFailure, ProxyFailure>> = {
  refused: 'proxy-refused',
  timeout: 'proxy-timeout',
  dns: 'proxy-dns',
  reset: 'proxy-closed',
  unreachable: 'proxy-unreachable',
};

/**
 * What a failure before the proxy answered CONNECT says the proxy did: refused, silent, closed...
 * https-proxy-agent reports a proxy that closed first with a message and no code.
 */
export function proxyFailureOf(code: string | undefined, message: string): { failure: ProxyFailure; code: string } | undefined {
  if (/before receiving CONNECT response/i.test(message)) return { failure: 'proxy-closed', code: 'EOF' };
  const transport = transportFailureOf(code);
  const failure = transport && PROXY_TRANSPORT[transport];
  return failure && code ? { failure, code } : undefined;
}

/** The proxy's answer to CONNECT when it is not 200: denied (403), credentials wanted (407), or another status. */
export function proxyStatusFailure(statusCode: number): ProxyFailure {
  return statusCode === 403 ? 'proxy-denied' : statusCode === 407 ? 'proxy-auth-required' : 'proxy-status';
}

/** The error a reader or token source throws when an endpoint could not be reached. */
export class EndpointUnreachableError extends Error {
  constructor(
    readonly unreachable: Unreachable,
    options?: { cause?: unknown },
  ) {
    const via = unreachable.proxy ? ` through ${unreachable.proxy}` : '';
    super(`${SERVICE_NAMES[unreachable.endpoint]} (${unreachable.host})${via}: ${unreachable.failure} (${unreachable.code})`, options);
    this.name = 'EndpointUnreachableError';
  }
}

/** The endpoint not reached that `err` carries, itself or as a cause, however an SDK wrapped it. */
export function carriedUnreachable(err: unknown): Unreachable | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof EndpointUnreachableError) return current.unreachable;
    current = (current as Error & { cause?: unknown }).cause;
  }
  return undefined;
}

/** A check's data for it: what its texts and the rule read. */
export function unreachableData(u: Unreachable): JsonObject {
  return {
    endpoint: u.endpoint,
    service: SERVICE_NAMES[u.endpoint],
    host: u.host,
    port: u.port,
    failure: u.failure,
    code: u.code,
    ...(u.seconds !== undefined ? { seconds: u.seconds } : {}),
    ...(u.proxy !== undefined ? { proxy: u.proxy } : {}),
    ...(u.statusCode !== undefined ? { statusCode: u.statusCode } : {}),
  };
}
