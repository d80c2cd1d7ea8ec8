/**
 * The Bot Framework token service (the user-token API behind an Azure Bot's OAuth connections) for
 * the lab, over HTTPS at https://token.lab.example, answering the calls botframework-connector's
 * TokenApiClient makes (UserTokenClientImpl, used by CloudAdapter, OAuthPrompt and
 * TeamsSSOTokenExchangeMiddleware):
 *   GET    api/usertoken/GetToken?userId&connectionName&channelId&code   200 TokenResponse | 404
 *   POST   api/usertoken/exchange?userId&connectionName&channelId {token}|{uri}
 *                                                      200 TokenResponse | 400 ErrorResponse | 404
 *   GET    api/botsignin/GetSignInResource?state       200 SignInUrlResponse (link + tokenExchangeResource)
 *   GET    api/botsignin/GetSignInUrl?state            200 the link
 *   DELETE api/usertoken/SignOut?userId&connectionName&channelId
 *   GET    api/usertoken/GetTokenStatus?userId&channelId&include
 *   POST   api/usertoken/GetAadTokens?userId&connectionName&channelId {resourceUrls}
 * Exchange takes a Teams SSO token for the connection's app (aud api://botid-<id>) that has not
 * expired and gives the connection's token for its user (by default a token for the SSO app's own
 * API, usable as the on-behalf-of assertion, see fake-entra.ts); a user who never consented (LAB_USERS
 * carol, or failExchange) gets 400 {"error":{"code":"ServiceError","message":"Consent Required"}},
 * which the Agents SDKs read as "send 412 to Teams, show the sign-in card". 400 and 404 come back
 * from UserTokenClient as values (the operation specs list them), not as thrown errors.
 *
 * How a bot reaches it (botbuilder 4.23, ConfigurationBotFrameworkAuthentication options, read by
 * the bot from its environment):
 * - `OAuthApiEndpoint` (or `OAuthUrl`, which wins) = https://token.lab.example. Either one switches
 *   BotFrameworkAuthenticationFactory to its parameterized (custom cloud) set where nothing has a
 *   default, so the bot must also pass the public cloud's values: ToChannelFromBotLoginUrl
 *   (https://login.microsoftonline.com/botframework.com, or .../<tenant> single-tenant),
 *   ToChannelFromBotOAuthScope and ToBotFromChannelTokenIssuer (https://api.botframework.com),
 *   ToBotFromChannelOpenIdMetadataUrl (https://login.botframework.com/v1/.well-known/openidconfiguration),
 *   ToBotFromEmulatorOpenIdMetadataUrl, CallerId (urn:botframework:azure), ValidateAuthority.
 * - CloudAdapter makes the client per turn: createUserTokenClient(claims) takes the app id from the
 *   request's claims. Unauthenticated (no MicrosoftAppId) it sends no Authorization header and its
 *   app id is undefined: GetToken and exchange still go out (start this fake with anonymous: true),
 *   but getSignInResource throws (its state needs msAppId), so OAuthPrompt's card needs a bot with
 *   an app id. Authenticated, it sends a Bot Framework token (aud https://api.botframework.com) of
 *   the bot's app; with `botAppId` set this fake refuses any other (401).
 * - The lab CA (NODE_EXTRA_CA_CERTS) and token.lab.example resolving to LAB_ADDRESSES.tokenService.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import https from 'node:https';
import type http from 'node:http';
import type { KeyPair } from './pki.js';
import { serve } from './serve.js';
import { claimsOf, LAB_SSO_APP, LAB_TENANT, userAccessToken, userByOid, type LabUser } from './lab-tenant.js';
import { readBody } from './http-answers.js';

export const TOKEN_SERVICE_HOST = 'token.lab.example';
/** The audience of the tokens bots present to the Bot Framework (ToChannelFromBotOAuthScope). */
export const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

export interface OAuthConnection {
  name: string;
  /** The Entra app of the connection (Microsoft Entra ID v2 provider): the SSO app. */
  appId: string;
  /** Its token exchange URL: what a Teams SSO token's aud must be. */
  tokenExchangeUri: string;
  /** The scope its tokens are for (resource/permission). */
  scope: string;
}

export const AAD_V2_PROVIDER = { id: '30dd229c-58e3-4a48-bdfd-91ec48eb906c', displayName: 'Azure Active Directory v2' } as const;

/** The bot's OAuth connection: Microsoft Entra ID v2, on the SSO app, tokens for the app's own API. */
export const LAB_OAUTH_CONNECTION: OAuthConnection = {
  name: 'acr-doctor-sso',
  appId: LAB_SSO_APP.clientId,
  tokenExchangeUri: LAB_SSO_APP.identifierUri,
  scope: `${LAB_SSO_APP.identifierUri}/access_as_user`,
};

/**
 * A bot's ConfigurationBotFrameworkAuthentication settings for the public cloud with its OAuth API at
 * `oauthUrl`: OAuthApiEndpoint alone would leave every other parameterized value undefined.
 */
export function publicCloudSettings(oauthUrl: string, tenantId: string): Record<string, string> {
  return {
    OAuthApiEndpoint: oauthUrl,
    ToChannelFromBotLoginUrl: `https://login.microsoftonline.com/${tenantId}`,
    ToChannelFromBotOAuthScope: BOT_FRAMEWORK_AUDIENCE,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_AUDIENCE,
    ToBotFromChannelOpenIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
    ToBotFromEmulatorOpenIdMetadataUrl: 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration',
    CallerId: 'urn:botframework:azure',
    ValidateAuthority: 'true',
  };
}

export type ExchangeFailure = 'consent-required' | 'service-error';

export interface FakeTokenServiceOptions {
  connections?: OAuthConnection[];
  /** The bot's app id: requests must carry a Bot Framework token issued to it. */
  botAppId?: string;
  /** Accept requests with no Authorization header (a bot run unauthenticated); the real service answers 401. */
  anonymous?: boolean;
}

export interface TokenServiceRequest {
  method: string;
  path: string;
  userId?: string;
  connectionName?: string;
  status: number;
}

export interface RunningTokenService {
  url: string;
  requests: TokenServiceRequest[];
  /** Exchange calls so far, for one user or all. */
  exchanges(userId?: string): number;
  /** A finished sign-in: `userId` now holds a token of `user` (with `code`: once the bot presents that magic code). */
  signIn(userId: string, user: LabUser, options?: { connectionName?: string; code?: string; expiresIn?: number }): string;
  /** The user followed a sign-in link from GetSignInResource; their token waits for the magic code returned. */
  followSignInLink(link: string, user: LabUser): { userId: string; code: string };
  /** Exchange for this user fails like this (every time, or once). */
  failExchange(userId: string, failure: ExchangeFailure, options?: { once?: boolean }): void;
  hasToken(userId: string, connectionName?: string): boolean;
  close(): Promise<void>;
}

interface Held {
  token: string;
  expiresAt: number;
  /** A magic code still to be presented before GetToken gives it out. */
  code?: string;
}

const FAILURES: Record<ExchangeFailure, { status: number; code: string; message: string }> = {
  'consent-required': { status: 400, code: 'ServiceError', message: 'Consent Required' },
  'service-error': { status: 500, code: 'ServiceError', message: 'The token service failed to exchange the token.' },
};

const errorBody = (code: string, message: string): object => ({ error: { code, message } });

/** The connection's resource and permission, from its scope (api://botid-x/access_as_user). */
function resourceOf(connection: OAuthConnection): { audience: string; permission: string } {
  const at = connection.scope.lastIndexOf('/');
  return { audience: connection.scope.slice(0, at), permission: connection.scope.slice(at + 1) };
}

export async function startFakeTokenService(address: string, pair: KeyPair, options: FakeTokenServiceOptions = {}, port = 443): Promise<RunningTokenService> {
  const url = `https://${TOKEN_SERVICE_HOST}${port === 443 ? '' : `:${port}`}`;
  const connections = options.connections ?? [LAB_OAUTH_CONNECTION];
  const held = new Map<string, Held>();
  const failures = new Map<string, { failure: ExchangeFailure; once: boolean }>();
  const signIns = new Map<string, { userId: string; connectionName: string }>();
  const exchangeCalls: string[] = [];
  const requests: TokenServiceRequest[] = [];
  const key = (userId: string, connectionName: string): string => `${connectionName}\n${userId}`;
  const connectionNamed = (name: string | null): OAuthConnection | undefined => connections.find((c) => c.name.toLowerCase() === name?.toLowerCase());

  const hold = (userId: string, user: LabUser, connection: OAuthConnection, code?: string, expiresIn = 3600): Held => {
    const { audience, permission } = resourceOf(connection);
    const entry: Held = { token: userAccessToken(user, connection.appId, audience, permission, { expiresIn }), expiresAt: Date.now() + expiresIn * 1000, ...(code ? { code } : {}) };
    held.set(key(userId, connection.name), entry);
    return entry;
  };
  const tokenResponse = (connection: OAuthConnection, channelId: string | null, entry: Held): object => ({
    channelId: channelId ?? undefined,
    connectionName: connection.name,
    token: entry.token,
    expiration: new Date(entry.expiresAt).toISOString(),
  });

  /** Who calls: a bot with a Bot Framework token (of botAppId, when set), or nobody (anonymous). */
  const callerRefusal = (authorization: string | undefined): string | undefined => {
    if (!authorization) return options.anonymous ? undefined : 'Authorization has been denied for this request.';
    const claims = claimsOf(authorization.replace(/^Bearer\s+/i, ''));
    if (String(claims.aud).replace(/\/$/, '') !== BOT_FRAMEWORK_AUDIENCE) return `The token's audience '${String(claims.aud)}' is not ${BOT_FRAMEWORK_AUDIENCE}.`;
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) return 'The token has expired.';
    const appId = claims.appid ?? claims.azp;
    if (options.botAppId && appId !== options.botAppId) return `The token's app id '${String(appId)}' is not the bot's.`;
    return undefined;
  };

  const exchange = (q: URLSearchParams, body: unknown): { status: number; body?: object } => {
    const userId = q.get('userId') ?? '';
    const connection = connectionNamed(q.get('connectionName'));
    if (!userId || !q.get('channelId')) return { status: 400, body: errorBody('BadArgument', 'userId, connectionName and channelId are required.') };
    if (!connection) return { status: 400, body: errorBody('BadArgument', `Unknown connection name '${q.get('connectionName') ?? ''}'.`) };
    exchangeCalls.push(userId);
    const staged = failures.get(userId);
    if (staged) {
      if (staged.once) failures.delete(userId);
      const f = FAILURES[staged.failure];
      return { status: f.status, body: errorBody(f.code, f.message) };
    }
    const request = body !== null && typeof body === 'object' ? (body as { token?: unknown; uri?: unknown }) : {};
    if (typeof request.token !== 'string') {
      if (typeof request.uri !== 'string') return { status: 400, body: errorBody('BadArgument', 'A token or a uri is required.') };
      const entry = held.get(key(userId, connection.name));
      if (request.uri !== connection.tokenExchangeUri || !entry || entry.code || entry.expiresAt <= Date.now()) return { status: 404 };
      return { status: 200, body: tokenResponse(connection, q.get('channelId'), entry) };
    }
    const claims = claimsOf(request.token);
    if (claims.aud !== connection.tokenExchangeUri && claims.aud !== connection.appId) {
      return { status: 400, body: errorBody('ServiceError', `Token exchange failed: the token's audience '${String(claims.aud)}' does not match the connection's token exchange URL '${connection.tokenExchangeUri}'.`) };
    }
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) {
      return { status: 400, body: errorBody('ServiceError', 'Token exchange failed: AADSTS500133: Assertion is not within its valid time range.') };
    }
    const user = claims.tid === LAB_TENANT ? userByOid(claims.oid) : undefined;
    if (!user) return { status: 400, body: errorBody('ServiceError', `Token exchange failed: AADSTS50034: The user account ${String(claims.oid)} does not exist in the directory.`) };
    if (!user.consented) return { status: 400, body: errorBody(FAILURES['consent-required'].code, FAILURES['consent-required'].message) };
    return { status: 200, body: tokenResponse(connection, q.get('channelId'), hold(userId, user, connection)) };
  };

  const getToken = (q: URLSearchParams): { status: number; body?: object } => {
    const userId = q.get('userId');
    const connection = connectionNamed(q.get('connectionName'));
    if (!userId || !q.get('connectionName')) return { status: 400, body: errorBody('BadArgument', 'userId and connectionName are required.') };
    const entry = connection && held.get(key(userId, connection.name));
    if (!connection || !entry || entry.expiresAt <= Date.now()) return { status: 404 };
    if (entry.code !== undefined) {
      if (q.get('code') !== entry.code) return { status: 404 };
      delete entry.code;
    }
    return { status: 200, body: tokenResponse(connection, q.get('channelId'), entry) };
  };

  const signInResource = (q: URLSearchParams): { status: number; body?: object | string } => {
    let state: { connectionName?: string; msAppId?: string; conversation?: { user?: { id?: string } } } = {};
    try {
      state = JSON.parse(Buffer.from(q.get('state') ?? '', 'base64').toString('utf8')) as typeof state;
    } catch {
      return { status: 400, body: errorBody('BadArgument', 'The state is not valid.') };
    }
    const connection = connectionNamed(state.connectionName ?? null);
    if (!connection || !state.msAppId) return { status: 400, body: errorBody('BadArgument', 'The state names no known connection or app.') };
    if (options.botAppId && state.msAppId !== options.botAppId) return { status: 400, body: errorBody('BadArgument', `The state's msAppId '${state.msAppId}' is not the bot's.`) };
    const signin = randomBytes(16).toString('hex');
    signIns.set(signin, { userId: state.conversation?.user?.id ?? '', connectionName: connection.name });
    return {
      status: 200,
      body: {
        signInLink: `${url}/api/oauth/signin?signin=${signin}`,
        tokenExchangeResource: { id: randomUUID(), uri: connection.tokenExchangeUri, providerId: AAD_V2_PROVIDER.id },
        tokenPostResource: { sasUrl: `${url}/api/sas/postToken?signin=${signin}` },
      },
    };
  };

  const route = async (req: http.IncomingMessage, u: URL): Promise<{ status: number; body?: unknown }> => {
    const q = u.searchParams;
    const path = u.pathname.toLowerCase().replace(/\/+$/, '');
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/api/usertoken/gettoken') return getToken(q);
    if (method === 'POST' && path === '/api/usertoken/exchange') {
      const text = await readBody(req);
      let body: unknown;
      try {
        body = JSON.parse(text || 'null');
      } catch {
        return { status: 400, body: errorBody('BadArgument', 'The body is not JSON.') };
      }
      return exchange(q, body);
    }
    if (method === 'GET' && path === '/api/botsignin/getsigninresource') return signInResource(q);
    if (method === 'GET' && path === '/api/botsignin/getsigninurl') {
      const answer = signInResource(q);
      return answer.status === 200 ? { status: 200, body: (answer.body as { signInLink: string }).signInLink } : answer;
    }
    const userId = q.get('userId') ?? '';
    if (method === 'DELETE' && path === '/api/usertoken/signout') {
      for (const c of connections) if (!q.get('connectionName') || connectionNamed(q.get('connectionName')) === c) held.delete(key(userId, c.name));
      return { status: 200, body: {} };
    }
    if (method === 'GET' && path === '/api/usertoken/gettokenstatus') {
      return { status: 200, body: connections.map((c) => ({ channelId: q.get('channelId') ?? undefined, connectionName: c.name, hasToken: held.has(key(userId, c.name)), serviceProviderDisplayName: AAD_V2_PROVIDER.displayName })) };
    }
    if (method === 'POST' && path === '/api/usertoken/getaadtokens') {
      const connection = connectionNamed(q.get('connectionName'));
      const entry = connection && held.get(key(userId, connection.name));
      const wanted = (JSON.parse((await readBody(req)) || '{}') as { resourceUrls?: string[] }).resourceUrls ?? [];
      const user = entry && userByOid(claimsOf(entry.token).oid);
      if (!connection || !entry || !user || entry.code) return { status: 200, body: {} };
      return { status: 200, body: Object.fromEntries(wanted.map((r) => [r, { channelId: q.get('channelId') ?? undefined, connectionName: connection.name, token: userAccessToken(user, connection.appId, r, 'user_impersonation'), expiration: new Date(entry.expiresAt).toISOString() }])) };
    }
    return { status: 404, body: errorBody('NotFound', `No lab route for ${method} ${u.pathname}`) };
  };

  const server = https.createServer({ key: pair.key, cert: pair.cert }, (req, res) => {
    const u = new URL(req.url ?? '/', url);
    const record: TokenServiceRequest = { method: req.method ?? 'GET', path: u.pathname, status: 0 };
    const userId = u.searchParams.get('userId');
    const connectionName = u.searchParams.get('connectionName');
    if (userId) record.userId = userId;
    if (connectionName) record.connectionName = connectionName;
    requests.push(record);
    const answer = (status: number, body?: unknown): void => {
      record.status = status;
      if (body === undefined) return void res.writeHead(status, { 'content-length': '0' }).end();
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-cache' }).end(JSON.stringify(body));
    };
    const refused = callerRefusal(req.headers.authorization);
    if (refused) return answer(401, { message: refused });
    route(req, u).then(
      (a) => answer(a.status, a.body),
      (err: unknown) => answer(500, errorBody('ServiceError', err instanceof Error ? err.message : String(err))),
    );
  });
  const served = await serve(server, address, port);

  return {
    url,
    requests,
    exchanges: (userId) => exchangeCalls.filter((u) => userId === undefined || u === userId).length,
    signIn(userId, user, signInOptions = {}) {
      const connection = connectionNamed(signInOptions.connectionName ?? connections[0]!.name);
      if (!connection) throw new Error(`no connection ${signInOptions.connectionName}`);
      return hold(userId, user, connection, signInOptions.code, signInOptions.expiresIn).token;
    },
    followSignInLink(link, user) {
      const pending = signIns.get(new URL(link).searchParams.get('signin') ?? '');
      const connection = pending && connectionNamed(pending.connectionName);
      if (!pending || !connection) throw new Error(`no pending sign-in for ${link}`);
      const code = String(100000 + (randomBytes(4).readUInt32BE(0) % 900000));
      hold(pending.userId, user, connection, code);
      return { userId: pending.userId, code };
    },
    failExchange(userId, failure, failOptions = {}) {
      failures.set(userId, { failure, once: failOptions.once ?? false });
    },
    hasToken: (userId, connectionName = connections[0]!.name) => held.has(key(userId, connectionName)),
    close: served.close,
  };
}
