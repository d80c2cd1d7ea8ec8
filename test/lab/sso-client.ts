/**
 * The real SDK clients against the lab's SSO fakes, run as a process of the lab's world (its hosts
 * file, NODE_EXTRA_CA_CERTS = the lab CA), so they meet the fakes only through real-world settings:
 * botbuilder's UserTokenClient (from ConfigurationBotFrameworkAuthentication, as CloudAdapter makes
 * it), @azure/identity's OnBehalfOfCredential, and our ARM readers (src/engine/arm/sdk.ts).
 * Usage: node sso-client.js '<SsoScript as JSON>'; prints one SsoResult per step as JSON.
 */
import { fileURLToPath } from 'node:url';
import type { TokenCredential } from '@azure/identity';
import { ConfigurationBotFrameworkAuthentication, type Activity } from 'botbuilder';
import { ClaimsIdentity } from 'botframework-connector';
import { armFailure } from '../../src/engine/arm/arm-error.js';
import { createArmApi } from '../../src/engine/arm/sdk.js';
import { cloudFor } from '../../src/engine/azure/cloud.js';

export type TokenCall =
  | { call: 'exchange'; userId: string; token?: string; uri?: string }
  | { call: 'getToken'; userId: string; code?: string }
  | { call: 'signInResource'; userId: string }
  | { call: 'status'; userId: string }
  | { call: 'signOut'; userId: string }
  | { call: 'aadTokens'; userId: string; resourceUrls: string[] };

export interface TokenClientStep {
  op: 'tokenClient';
  /** The bot's settings (ConfigurationBotFrameworkAuthentication options), as it would read them from its environment. */
  settings: Record<string, string>;
  connectionName: string;
  calls: TokenCall[];
}

export interface OboStep {
  op: 'obo';
  tenantId: string;
  clientId: string;
  /** The app's secret; absent: a client assertion from this managed identity (IMDS). */
  clientSecret?: string;
  managedIdentityClientId?: string;
  userAssertionToken: string;
  authorityHost: string;
  scope: string;
  /** Then read these registries (resource ids) and list subscriptions with that credential, through src/engine/arm/sdk.ts. */
  read?: string[];
}

export type SsoStep = TokenClientStep | OboStep;
export type SsoResult = { ok: unknown } | { error: { name: string; message: string; statusCode?: number } };

const failed = (err: unknown): SsoResult => {
  const e = err instanceof Error ? err : new Error(String(err));
  const statusCode = (err as { statusCode?: unknown }).statusCode;
  return { error: { name: e.name, message: e.message, ...(typeof statusCode === 'number' ? { statusCode } : {}) } };
};

async function settle(run: () => Promise<unknown>): Promise<SsoResult> {
  try {
    return { ok: (await run()) ?? null };
  } catch (err) {
    return failed(err);
  }
}

/** What CloudAdapter does per turn: the user-token client for the app the request's claims name. */
async function tokenClientSteps(step: TokenClientStep): Promise<SsoResult[]> {
  const auth = new ConfigurationBotFrameworkAuthentication(step.settings);
  const appId = step.settings.MicrosoftAppId;
  const claims = new ClaimsIdentity(appId ? [{ type: 'aud', value: appId }] : [], appId ? true : 'anonymous');
  const client = await auth.createUserTokenClient(claims);
  const channelId = 'msteams';
  const results: SsoResult[] = [];
  for (const c of step.calls) {
    const activity: Partial<Activity> = { type: 'message', id: 'lab-activity', channelId, serviceUrl: 'https://smba.lab.example/emea/', from: { id: c.userId, name: 'lab user' }, recipient: { id: `28:${appId ?? 'bot'}`, name: 'acr-doctor' }, conversation: { id: `a:lab-${c.userId}`, isGroup: false, conversationType: 'personal', name: '' } };
    results.push(
      await settle(() => {
        switch (c.call) {
          case 'exchange':
            return client.exchangeToken(c.userId, step.connectionName, channelId, c.token !== undefined ? { token: c.token } : { uri: c.uri ?? '' });
          case 'getToken':
            return client.getUserToken(c.userId, step.connectionName, channelId, c.code ?? '');
          case 'signInResource':
            return client.getSignInResource(step.connectionName, activity as Activity, '');
          case 'status':
            return client.getTokenStatus(c.userId, channelId, '');
          case 'signOut':
            return client.signOutUser(c.userId, step.connectionName, channelId);
          case 'aadTokens':
            return client.getAadTokens(c.userId, step.connectionName, c.resourceUrls, channelId);
        }
      }),
    );
  }
  return results;
}

/** The asker's ARM token through the on-behalf-of grant, then ARM read with it: [token claims, ...registry reads, subscriptions]. */
async function oboSteps(step: OboStep): Promise<SsoResult[]> {
  const identity = await import('@azure/identity');
  const common = { tenantId: step.tenantId, clientId: step.clientId, userAssertionToken: step.userAssertionToken, authorityHost: step.authorityHost, disableInstanceDiscovery: true };
  const managed = new identity.ManagedIdentityCredential(step.managedIdentityClientId ? { clientId: step.managedIdentityClientId } : {});
  const credential: TokenCredential = step.clientSecret
    ? new identity.OnBehalfOfCredential({ ...common, clientSecret: step.clientSecret })
    : new identity.OnBehalfOfCredential({ ...common, getAssertion: async () => (await managed.getToken('api://AzureADTokenExchange/.default')).token });
  const token = await settle(async () => {
    const access = await credential.getToken(step.scope);
    if (!access) throw new Error('no token');
    return JSON.parse(Buffer.from(access.token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
  });
  if (!step.read) return [token];
  const api = createArmApi(credential, cloudFor('azurecr.io', process.env));
  const reads: SsoResult[] = [];
  for (const id of step.read) {
    reads.push(await api.registry(id, AbortSignal.timeout(10_000)).then((facts) => ({ ok: facts }), (err: unknown) => ({ ok: { outcome: armFailure(err).outcome, message: err instanceof Error ? err.message : String(err) } })));
  }
  reads.push(await settle(() => api.subscriptions(AbortSignal.timeout(10_000))));
  return [token, ...reads];
}

async function main(): Promise<void> {
  const steps = JSON.parse(process.argv[2] ?? '[]') as SsoStep[];
  const results: SsoResult[][] = [];
  for (const step of steps) results.push(step.op === 'tokenClient' ? await tokenClientSteps(step) : await oboSteps(step));
  process.stdout.write(`${JSON.stringify(results)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`sso-client: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(3);
  });
}
