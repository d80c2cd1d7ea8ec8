/**
 * `POST /oauth2/exchange`: what `az acr login` and AKS's kubelet do with an Entra token. Run only
 * with credentials; it tells a firewall denial (403 DENIED) from an identity ACR refuses (401).
 */
import type { Dispatcher } from 'undici';
import { EndpointUnreachableError, unreachableData, type Unreachable } from '../azure/unreachable.js';
import type { JsonObject } from '../report/types.js';
import { errorInfo } from '../net/errors.js';
import { raceSignal } from '../net/deadlines.js';
import { type Outcome } from './evidence.js';
import { askAcr, type HttpAnswer } from './http.js';

export interface TokenSource {
  (signal: AbortSignal): Promise<{ token: string; tenant?: string; principal?: string }>;
  /** The Azure endpoint the identity could not reach, when that is why `err` (a deadline, say) happened. */
  explain?(err: unknown): Unreachable | undefined;
}

export async function probeExchange(loginServer: string, dispatcher: Dispatcher, signal: AbortSignal, getToken: TokenSource): Promise<Outcome> {
  const url = `https://${loginServer}/oauth2/exchange`;
  const data: JsonObject = { url };
  let credential: Awaited<ReturnType<TokenSource>>;
  try {
    credential = await raceSignal(getToken(signal), signal);
  } catch (err) {
    // An authority or IMDS that could not be reached is a network fact about this machine, host named.
    const unreachable = err instanceof EndpointUnreachableError ? err.unreachable : getToken.explain?.(err);
    if (unreachable) return { status: 'warn', outcome: `exchange.unreachable.${unreachable.failure}`, data: { ...data, ...unreachableData(unreachable) }, error: errorInfo(err) };
    // No identity at all is a reason to skip; an identity that fails to sign in is worth a warning.
    const unavailable = err instanceof Error && (err.name === 'CredentialUnavailableError' || err.name === 'AggregateAuthenticationError');
    return unavailable ? { status: 'skip', outcome: 'skip.no-credentials', data } : { status: 'warn', outcome: 'exchange.no-token', data, error: errorInfo(err) };
  }
  if (credential.principal) data.principal = credential.principal;
  const form: Record<string, string> = { grant_type: 'access_token', service: loginServer, access_token: credential.token };
  if (credential.tenant) form.tenant = credential.tenant;
  const readExchange = (answer: HttpAnswer, seen: JsonObject): Outcome => {
    if (answer.statusCode === 200 && /"refresh_token"/.test(answer.body)) return { status: 'pass', outcome: 'exchange.ok', data: seen };
    if (answer.statusCode === 401) return { status: 'fail', outcome: 'exchange.unauthorized', data: seen };
    return { status: 'fail', outcome: 'exchange.unexpected', data: seen };
  };
  return askAcr('exchange', url, data, dispatcher, signal, readExchange, { form });
}
