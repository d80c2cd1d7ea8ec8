/**
 * The Azure identity the client itself would use, from its environment: a service principal
 * (secret or certificate) or workload identity. Loaded only when configured, so runs without
 * credentials pay nothing for it.
 */
import type { HttpClient } from '@azure/core-rest-pipeline';
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/identity';
import { raceSignal } from '../net/deadlines.js';
import { isKnownAuthority, type AzureCloud } from './cloud.js';
import { withWatch, type EndpointWatch } from './endpoint-watch.js';
import { EndpointUnreachableError, type Unreachable } from './unreachable.js';

/**
 * How a diagnosis signs in: through the watched transport, and without the identity library's
 * retries (three, over about four seconds), so a refused authority is known at once, as ARM's
 * clients here already do.
 */
export interface SignInOptions {
  httpClient?: HttpClient;
  retries?: number;
}

function transportOptions(options: SignInOptions): { httpClient?: HttpClient; retryOptions?: { maxRetries: number } } {
  return { ...(options.httpClient ? { httpClient: options.httpClient } : {}), ...(options.retries !== undefined ? { retryOptions: { maxRetries: options.retries } } : {}) };
}

export function hasEnvironmentCredentials(env: NodeJS.ProcessEnv): boolean {
  if (!env.AZURE_CLIENT_ID || !env.AZURE_TENANT_ID) return false;
  return Boolean(env.AZURE_CLIENT_SECRET || env.AZURE_CLIENT_CERTIFICATE_PATH || env.AZURE_FEDERATED_TOKEN_FILE);
}

export async function environmentCredential(cloud: AzureCloud, env: NodeJS.ProcessEnv, signIn: SignInOptions = {}): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const options = { authorityHost: cloud.authorityHost, disableInstanceDiscovery: !isKnownAuthority(cloud.authorityHost), ...transportOptions(signIn) };
  if (env.AZURE_FEDERATED_TOKEN_FILE) return new identity.WorkloadIdentityCredential(options);
  return new identity.EnvironmentCredential(options);
}

/** The tenant id (`tid`) of an Entra access token; its signature is not ours to check. */
export function tenantOf(accessToken: string): string | undefined {
  const payload = accessToken.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The identity this machine has, as Azure's own tools find it (DefaultAzureCredential): environment
 * service principal, workload identity, managed identity, then developer sign-ins (Azure CLI...).
 * AZURE_TOKEN_CREDENTIALS=prod (or a credential's name) narrows that chain, as it does for any Azure SDK.
 */
export async function defaultCredential(cloud: AzureCloud, env: NodeJS.ProcessEnv, signIn: SignInOptions = {}): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  return new identity.DefaultAzureCredential({
    authorityHost: cloud.authorityHost,
    disableInstanceDiscovery: !isKnownAuthority(cloud.authorityHost),
    ...(env.AZURE_CLIENT_ID ? { managedIdentityClientId: env.AZURE_CLIENT_ID } : {}),
    ...transportOptions(signIn),
  });
}

/**
 * Whether this machine means to sign in with a managed identity, so an instance metadata service
 * that does not answer is a fault. Elsewhere (a laptop) IMDS never answers, and that is normal.
 */
export function managedIdentityIntended(env: NodeJS.ProcessEnv): boolean {
  if (/ManagedIdentityCredential/i.test(env.AZURE_TOKEN_CREDENTIALS ?? '')) return true;
  return Boolean(env.AZURE_CLIENT_ID) && !hasEnvironmentCredentials(env) && !env.IDENTITY_ENDPOINT && !env.MSI_ENDPOINT;
}

/** What a token source hands the token exchange. */
export interface SourcedToken {
  token: string;
  tenant?: string;
  principal?: string;
}

/**
 * A source of Entra tokens for the registry's token exchange, from the given identity. With a watch,
 * an authority or IMDS it could not reach is thrown as EndpointUnreachableError, host named, and
 * `explain` says the same of a deadline that fired while the token was still being asked for.
 */
export function tokenSource(cloud: AzureCloud, makeCredential: () => Promise<TokenCredential>, env: NodeJS.ProcessEnv, watch?: EndpointWatch) {
  let credential: Promise<TokenCredential> | undefined;
  const source = async (signal: AbortSignal): Promise<SourcedToken> => {
    credential ??= makeCredential();
    let token: AccessToken | null;
    try {
      const made = await credential;
      const pending = withWatch(watch, () => made.getToken(`${cloud.armEndpoint}/.default`, { abortSignal: signal }));
      token = await raceSignal(pending, signal);
    } catch (err) {
      const unreachable = watch?.explain(err);
      throw unreachable ? new EndpointUnreachableError(unreachable, { cause: err }) : err;
    }
    if (!token) throw new Error('the identity returned no token');
    const tenant = tenantOf(token.token) ?? env.AZURE_TENANT_ID;
    return { token: token.token, ...(tenant ? { tenant } : {}), ...(env.AZURE_CLIENT_ID ? { principal: env.AZURE_CLIENT_ID } : {}) };
  };
  return Object.assign(source, { explain: (err: unknown): Unreachable | undefined => watch?.explain(err) });
}

/** A token request still unanswered after this long is not joined: it is asked again. */
const STALE_REQUEST_MS = 30_000;
/** A token this close to its expiry is not handed out: a new one is asked for. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * A credential that asks its source once per scope while a token is valid: the token exchange and
 * the ARM readers start at the same moment and would otherwise each go to Entra for the same token,
 * and a credential made once per process (AzureClients) keeps its token for every diagnosis until it
 * nears expiry. The request is made without any caller's signal, so one run's deadline never fails
 * another run waiting on the same token; each caller waits only as long as its own signal allows.
 */
export function sharedTokens(source: TokenCredential): TokenCredential {
  const tokens = new Map<string, { token: Promise<AccessToken | null>; askedAt: number; expiresOn?: number }>();
  const usable = (entry: { askedAt: number; expiresOn?: number } | undefined, now: number): boolean =>
    entry !== undefined && (entry.expiresOn === undefined ? now - entry.askedAt < STALE_REQUEST_MS : entry.expiresOn - now >= EXPIRY_MARGIN_MS);
  return {
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const key = `${[scopes].flat().join(' ')}|${options?.tenantId ?? ''}`;
      let entry = tokens.get(key);
      if (!usable(entry, Date.now())) {
        const shared: GetTokenOptions = { ...options };
        delete shared.abortSignal;
        const asked = { askedAt: Date.now() } as { token: Promise<AccessToken | null>; askedAt: number; expiresOn?: number };
        asked.token = source.getToken(scopes, shared).then(
          (token) => {
            if (token && token.expiresOnTimestamp - Date.now() >= EXPIRY_MARGIN_MS) asked.expiresOn = token.expiresOnTimestamp;
            else if (tokens.get(key) === asked) tokens.delete(key);
            return token;
          },
          (err: unknown) => {
            if (tokens.get(key) === asked) tokens.delete(key);
            throw err;
          },
        );
        tokens.set(key, (entry = asked));
      }
      const signal = options?.abortSignal;
      // The SDKs hand on the AbortSignal their caller gave (ours are real ones); its type is their narrower AbortSignalLike.
      return signal ? raceSignal(entry!.token, signal as AbortSignal) : entry!.token;
    },
  };
}
