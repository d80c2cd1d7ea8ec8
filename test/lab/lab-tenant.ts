/**
 * Who lives in the lab's Microsoft Entra tenant (service principals, people, the bot's single
 * sign-on app), and the tokens Entra and Teams give them. Tokens carry the claims Azure puts in its
 * own; their signature is a placeholder, as nobody in the lab checks one.
 */
export const LAB_TENANT = '72f988bf-0000-4000-8000-00000000cafe';
export const LAB_AUTHORITY_HOST = 'login.lab.example';
/** The issuers of the lab tenant's tokens: v2.0 (Entra's), and v1 (sts.windows.net, a managed identity's and Teams'). */
export const LAB_ISSUER_V2 = `https://${LAB_AUTHORITY_HOST}/${LAB_TENANT}/v2.0`;
export const LAB_ISSUER_V1 = `https://sts.windows.net/${LAB_TENANT}/`;

/** Service principals the lab knows; only `allowed` holds a role on the lab's registries. */
export const LAB_PRINCIPALS = {
  allowed: { clientId: '11111111-2222-4333-8444-555555555555', secret: 'lab-secret-allowed' },
  rejected: { clientId: '99999999-8888-4777-8666-555555555555', secret: 'lab-secret-rejected' },
} as const;

export interface LabUser {
  /** Entra object id: what ARM authorises and the audit names. */
  oid: string;
  upn: string;
  name: string;
  /** The Teams user id the Bot Framework gives the bot (activity.from.id). */
  teamsId: string;
  /** Whether the user consented to the SSO app reading Azure for them (no: AADSTS65001). */
  consented: boolean;
}

/**
 * The lab's people. ARM gives alice Reader on the registries' resource group (fake-arm.ts), bob
 * nothing; carol never consented to the app.
 */
export const LAB_USERS = {
  alice: { oid: 'a11ce000-0000-4000-8000-00000000a11c', upn: 'alice@contoso.example', name: 'Alice Admin', teamsId: '29:1alice-lab-teams-user', consented: true },
  bob: { oid: 'b0b00000-0000-4000-8000-000000000b0b', upn: 'bob@contoso.example', name: 'Bob Builder', teamsId: '29:1bob-lab-teams-user', consented: true },
  carol: { oid: 'ca501000-0000-4000-8000-0000000ca501', upn: 'carol@contoso.example', name: 'Carol Consentless', teamsId: '29:1carol-lab-teams-user', consented: false },
} satisfies Record<string, LabUser>;

/** The managed identity a deployed bot runs as; its token for api://AzureADTokenExchange is its client assertion. */
export const LAB_BOT_IDENTITY = { clientId: LAB_PRINCIPALS.allowed.clientId, objectId: LAB_PRINCIPALS.allowed.clientId } as const;
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

export interface LabApp {
  clientId: string;
  displayName: string;
  /** Its client secret; undefined: only a client assertion (a federated credential) proves it. */
  secret?: string;
  /** The API it exposes (Teams SSO tokens are for this). */
  identifierUri: string;
  /** Federated identity credentials: whose tokens it accepts as its client assertion. */
  federated: { issuers: string[]; subject: string; audience: string }[];
}

/** The bot's single sign-on app registration: api://botid-<id>, with a secret and a federated credential for the bot's managed identity. */
export const LAB_SSO_APP: LabApp = {
  clientId: '5e0b0771-0000-4000-8000-0000000550a1',
  displayName: 'acr-doctor (lab)',
  secret: 'lab-sso-secret',
  identifierUri: 'api://botid-5e0b0771-0000-4000-8000-0000000550a1',
  federated: [{ issuers: [LAB_ISSUER_V1, LAB_ISSUER_V2], subject: LAB_BOT_IDENTITY.objectId, audience: TOKEN_EXCHANGE_AUDIENCE }],
};

/** Teams' own clients (desktop and web): the `appid` of the SSO tokens Teams gets for the bot. */
export const TEAMS_CLIENT_IDS = { desktop: '1fec8e78-bce4-4aaf-ab1b-5451cc387264', web: '5e3ce6c0-2b1f-4285-8d4b-75ee78787346' } as const;

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A JWT of these claims, signed by nobody (the lab checks claims, never signatures). */
export function labJwt(claims: Record<string, unknown>): string {
  return `${b64url({ typ: 'JWT', alg: 'RS256', kid: 'lab' })}.${b64url(claims)}.bGFi`;
}

export function claimsOf(token: string): Record<string, unknown> {
  try {
    const claims: unknown = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
    return claims !== null && typeof claims === 'object' && !Array.isArray(claims) ? (claims as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const now = (): number => Math.floor(Date.now() / 1000);

/** An access token of a service principal (or a managed identity), shaped like Entra's. */
export function labAccessToken(clientId: string, audience: string, issuer = LAB_ISSUER_V2): string {
  const iat = now();
  return labJwt({ aud: audience, iss: issuer, tid: LAB_TENANT, appid: clientId, oid: clientId, sub: clientId, idtyp: 'app', iat, nbf: iat, exp: iat + 3600 });
}

export interface UserTokenOptions {
  /** Seconds from now until it expires; negative: already expired. Default 3600. */
  expiresIn?: number;
  audience?: string;
}

/**
 * The token Teams gets for the bot when a user opens it (Teams SSO, getAuthToken): a v1 token for the
 * SSO app's API (aud api://botid-<id>), scope access_as_user, issued to Teams' client.
 */
export function teamsSsoToken(user: LabUser, options: UserTokenOptions = {}): string {
  const iat = now();
  const exp = iat + (options.expiresIn ?? 3600);
  return labJwt({
    aud: options.audience ?? LAB_SSO_APP.identifierUri,
    iss: LAB_ISSUER_V1,
    iat: Math.min(iat, exp - 60),
    nbf: Math.min(iat, exp - 60),
    exp,
    appid: TEAMS_CLIENT_IDS.desktop,
    appidacr: '0',
    idtyp: 'user',
    name: user.name,
    oid: user.oid,
    scp: 'access_as_user',
    sub: `lab-sub-${user.oid}`,
    tid: LAB_TENANT,
    upn: user.upn,
    ver: '1.0',
  });
}

/** A delegated token of `user` for `audience`, issued to `clientId` (what the on-behalf-of grant returns). */
export function userAccessToken(user: LabUser, clientId: string, audience: string, scope: string, options: UserTokenOptions = {}): string {
  const iat = now();
  const exp = iat + (options.expiresIn ?? 3600);
  return labJwt({
    aud: audience,
    iss: LAB_ISSUER_V2,
    iat: Math.min(iat, exp - 60),
    nbf: Math.min(iat, exp - 60),
    exp,
    appid: clientId,
    azp: clientId,
    idtyp: 'user',
    name: user.name,
    oid: user.oid,
    scp: scope,
    sub: `lab-sub-${user.oid}`,
    tid: LAB_TENANT,
    upn: user.upn,
    ver: '2.0',
  });
}

export function userByOid(oid: unknown): LabUser | undefined {
  return Object.values(LAB_USERS).find((u) => u.oid === oid);
}
