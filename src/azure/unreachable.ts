/**
 * An Azure endpoint this machine could not get through to (Microsoft Entra, ARM, Log Analytics,
 * the instance metadata service), as plain data: which host, and what the network did. A client
 * that signs in to Azure needs these endpoints as much as the registry's own, so this is evidence.
 */
import type { JsonObject } from '../report/types.js';

export type AzureEndpoint = 'entra' | 'arm' | 'log-analytics' | 'imds';
export type TransportFailure = 'refused' | 'timeout' | 'dns' | 'tls' | 'reset' | 'unreachable';

export interface Unreachable {
  endpoint: AzureEndpoint;
  host: string;
  port: number;
  failure: TransportFailure;
  /** The system's own code (ECONNREFUSED, EAI_AGAIN, CERT_HAS_EXPIRED...), or `TimeoutError` for our deadline. */
  code: string;
  /** How long the request waited, for a timeout. */
  seconds?: number;
}

/** The product names used in every language (Azure does not translate them). */
export const SERVICE_NAMES: Record<AzureEndpoint, string> = {
  entra: 'Microsoft Entra ID',
  arm: 'Azure Resource Manager',
  'log-analytics': 'Azure Monitor Log Analytics',
  imds: 'Azure Instance Metadata Service',
};

const FAILURES: ReadonlyArray<[TransportFailure, RegExp]> = [
  ['refused', /^ECONNREFUSED$/],
  ['timeout', /^(ETIMEDOUT|ESOCKETTIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|TimeoutError)$/],
  ['dns', /^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL|EAI_NODATA|ENODATA|ESERVFAIL)$/],
  ['reset', /^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET)$/],
  ['unreachable', /^(ENETUNREACH|EHOSTUNREACH|EHOSTDOWN|ENETDOWN)$/],
  // OpenSSL's and Node's names for a certificate or handshake that failed.
  ['tls', /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_|ERR_TLS_|ERR_SSL_|EPROTO$|HOSTNAME_MISMATCH)/],
];

/** What a system error code says the network did; undefined for anything that is not a transport failure. */
export function transportFailureOf(code: string | undefined): TransportFailure | undefined {
  if (!code) return undefined;
  return FAILURES.find(([, pattern]) => pattern.test(code))?.[0];
}

/** The error a reader or token source throws when an endpoint could not be reached. */
export class EndpointUnreachableError extends Error {
  constructor(
    readonly unreachable: Unreachable,
    options?: { cause?: unknown },
  ) {
    super(`${SERVICE_NAMES[unreachable.endpoint]} (${unreachable.host}): ${unreachable.failure} (${unreachable.code})`, options);
    this.name = 'EndpointUnreachableError';
  }
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
  };
}
