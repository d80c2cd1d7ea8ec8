/**
 * The asker's own Azure rights: Teams single sign-on gives the bot a token for its SSO app
 * registration, and Microsoft Entra's on-behalf-of grant exchanges it for an ARM token of that user
 * (user_impersonation). The app proves itself with a client secret, or, with no secret anywhere, a
 * client assertion: the bot's managed identity's token for api://AzureADTokenExchange, which the app
 * registration trusts through a federated identity credential.
 */
import type { TokenCredential } from '@azure/identity';
import { isKnownAuthority, type AzureCloud } from './cloud.js';

export interface SsoConfig {
  /** The Azure Bot's OAuth connection (Microsoft Entra ID v2) that Teams SSO exchanges into. */
  connectionName: string;
  /** The SSO app registration's client id (its API is api://botid-<id>). */
  appId: string;
  tenantId: string;
  /** The app's client secret; absent: a client assertion from the managed identity (AZURE_CLIENT_ID). */
  clientSecret?: string;
  /** The managed identity whose token is the client assertion. */
  managedIdentityClientId?: string;
}

/** The audience a managed identity's token must have to stand as a federated client assertion. */
const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange/.default';

export async function onBehalfOf(sso: SsoConfig, userToken: string, cloud: AzureCloud): Promise<TokenCredential> {
  const identity = await import('@azure/identity');
  const common = {
    tenantId: sso.tenantId,
    clientId: sso.appId,
    userAssertionToken: userToken,
    authorityHost: cloud.authorityHost,
    disableInstanceDiscovery: !isKnownAuthority(cloud.authorityHost),
  };
  if (sso.clientSecret) return new identity.OnBehalfOfCredential({ ...common, clientSecret: sso.clientSecret });
  const managed = new identity.ManagedIdentityCredential(sso.managedIdentityClientId ? { clientId: sso.managedIdentityClientId } : {});
  return new identity.OnBehalfOfCredential({
    ...common,
    getAssertion: async () => {
      const token = await managed.getToken(TOKEN_EXCHANGE_AUDIENCE);
      if (!token) throw new Error('the managed identity gave no token for the federated client assertion');
      return token.token;
    },
  });
}
