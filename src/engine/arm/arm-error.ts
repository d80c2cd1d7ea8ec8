/** ARM failures as evidence: each a specific, bounded outcome, never a crash. */
import type { JsonObject } from '../report/types.js';
import { errorInfo } from '../net/errors.js';
import { isTimeout } from '../net/deadlines.js';
import { type Outcome } from '../probes/evidence.js';
import { parseRetryAfter } from '../probes/acr-errors.js';
import { unreachableData, type Unreachable } from '../azure/unreachable.js';

interface RestLikeError {
  statusCode?: number;
  code?: string;
  response?: { headers?: { get?(name: string): string | undefined } };
}

const NO_CREDENTIAL = new Set(['CredentialUnavailableError', 'AggregateAuthenticationError']);

export function statusOf(err: unknown): number | undefined {
  const status = (err as RestLikeError | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

export function retryAfterOf(err: unknown): number | undefined {
  return parseRetryAfter((err as RestLikeError | undefined)?.response?.headers?.get?.('retry-after'));
}

/**
 * ARM failing leaves the diagnosis less complete (warn). When the network is why (`unreachable`:
 * Entra, IMDS, ARM or Log Analytics refused, silent, unresolved...), the check names the host and
 * what happened: a client that signs in to Azure needs that endpoint too.
 */
export function armFailure(err: unknown, data: JsonObject = {}, unreachable?: Unreachable): Outcome {
  const error = errorInfo(err);
  if (unreachable) return { status: 'warn', outcome: `arm.unreachable.${unreachable.failure}`, data: { ...data, ...unreachableData(unreachable) }, error };
  if (err instanceof Error && NO_CREDENTIAL.has(err.name)) return { status: 'skip', outcome: 'arm.no-credentials', data, error };
  // Refused before any call: the asker's scopes (ARM_SCOPES) do not reach it. Not a failure of Azure.
  if (err instanceof Error && err.name === 'OutOfScopeError') return { status: 'skip', outcome: 'arm.out-of-scope', data: { ...data, resource: (err as Error & { resourceId?: string }).resourceId ?? '' } };
  if (err instanceof Error && err.name === 'AuthenticationError') return { status: 'warn', outcome: 'arm.auth-failed', data, error };
  if (isTimeout(err)) return { status: 'warn', outcome: 'arm.timeout', data, error };
  const status = statusOf(err);
  const seen = status === undefined ? data : { ...data, statusCode: status };
  if (status === 401) return { status: 'warn', outcome: 'arm.unauthorized', data: seen, error };
  if (status === 403) return { status: 'warn', outcome: 'arm.forbidden', data: seen, error };
  if (status === 404) return { status: 'warn', outcome: 'arm.not-found', data: seen, error };
  if (status === 429) {
    const retryAfter = retryAfterOf(err);
    return { status: 'warn', outcome: 'arm.throttled', data: retryAfter === undefined ? seen : { ...seen, retryAfter }, error };
  }
  if (status !== undefined && status >= 500) return { status: 'warn', outcome: 'arm.server-error', data: seen, error };
  return { status: 'warn', outcome: 'arm.error', data: seen, error };
}

/** Runs `call`; on 429 waits Retry-After once when that still fits the budget. */
export async function withRetryAfter<T>(call: () => Promise<T>, budget: AbortSignal, deadlineAt: number): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const wait = retryAfterOf(err);
    if (statusOf(err) !== 429 || wait === undefined || Date.now() + wait * 1000 >= deadlineAt || budget.aborted) throw err;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait * 1000);
      budget.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    return call();
  }
}
