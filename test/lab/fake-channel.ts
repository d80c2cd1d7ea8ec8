/**
 * The Bot Framework's channel side for the lab, as Azure Bot Service meets a bot, over HTTPS with the
 * lab CA:
 * - the channel's OpenID metadata and signing keys (login.botframework.com's role, here
 *   login.botframework.lab.example): botframework-connector fetches the document at
 *   ToBotFromChannelOpenIdMetadataUrl, then its jwks_uri, and finds the key by the token's `kid`;
 *   a key with endorsements signs only for the channels they name;
 * - the channel's tokens (`channelToken`): RS256, `iss` ToBotFromChannelTokenIssuer, `aud` the bot's
 *   app id, `serviceurl` the activity's serviceUrl, nbf/exp, and no `ver`/`appid` (with those the
 *   SDK would take it for a skill's token);
 * - Teams' connector (smba.trafficmanager.net's role, here smba.lab.example) that takes the bot's
 *   replies only with a bearer token for the Bot Framework (aud ToChannelFromBotOAuthScope) issued
 *   to the bot: a deployed bot (UserAssignedMSI) gets it from its managed identity, in the lab from
 *   fake-imds.ts.
 * Names resolve through the lab's DNS zone (as login.lab.example does) and, for processes given a
 * hosts file, through `hosts`; the addresses go on `lo` only inside the isolated namespace.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import https from 'node:https';
import { assertIsolated } from './isolation.js';
import type { LabZone } from './dns-server.js';
import type { LabPki } from './pki.js';
import type { Sent } from './connector-stub.js';
import { serve } from './serve.js';
import { claimsOf, LAB_AUTHORITY_HOST, LAB_BOT_IDENTITY, LAB_ISSUER_V1, LAB_ISSUER_V2, LAB_TENANT, LAB_USERS } from './lab-tenant.js';
import { BOT_FRAMEWORK_AUDIENCE, TOKEN_SERVICE_HOST } from './fake-token-service.js';
import { eventually } from './eventually.js';
import { json as answer, readBody } from './http-answers.js';

export const CHANNEL_OPENID_HOST = 'login.botframework.lab.example';
export const CONNECTOR_HOST = 'smba.lab.example';
/** Where they listen; fake-channel puts them on `lo` (LAB_ADDRESSES holds the world's own). */
export const CHANNEL_ADDRESSES = { openId: '20.190.164.10', connector: '52.112.95.10' } as const;
export const CHANNEL_OPENID_URL = `https://${CHANNEL_OPENID_HOST}/v1/.well-known/openidconfiguration`;
const JWKS_URL = `https://${CHANNEL_OPENID_HOST}/v1/.well-known/keys`;
/** The issuer of channel tokens and the audience of the bot's own: the public cloud's names (only compared, never dialled). */
export const CHANNEL_TOKEN_ISSUER = BOT_FRAMEWORK_AUDIENCE;
/** The serviceUrl Teams gives activities (its regional connector). */
export const LAB_SERVICE_URL = `https://${CONNECTOR_HOST}/emea/`;
/** The connector's reply and update routes under that serviceUrl. */
const ACTIVITIES = /^\/emea\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;

/**
 * The channel's signing keys: `msteams` is published and endorsed for Teams; `webchat` is published,
 * endorsed only for Web Chat; `stranger` is never published (a forger's key).
 */
export type ChannelSigner = 'msteams' | 'webchat' | 'stranger';
const ENDORSEMENTS: Record<Exclude<ChannelSigner, 'stranger'>, string[]> = { msteams: ['msteams'], webchat: ['webchat'] };
export const KIDS: Record<ChannelSigner, string> = { msteams: 'lab-channel-msteams', webchat: 'lab-channel-webchat', stranger: 'lab-channel-stranger' };

let keys: Record<ChannelSigner, KeyObject> | undefined;
/** Made once per process, so tokens signed anywhere in it match the keys any fake channel serves. */
function signingKeys(): Record<ChannelSigner, KeyObject> {
  const make = (): KeyObject => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  keys ??= { msteams: make(), webchat: make(), stranger: make() };
  return keys;
}

/** The JWKS as login.botframework.com publishes it: RSA keys with their endorsements. */
export function channelJwks(): { keys: Record<string, unknown>[] } {
  const all = signingKeys();
  return {
    keys: (Object.keys(ENDORSEMENTS) as (keyof typeof ENDORSEMENTS)[]).map((signer) => {
      const { n, e } = all[signer].export({ format: 'jwk' });
      return { kty: 'RSA', use: 'sig', kid: KIDS[signer], n, e, endorsements: ENDORSEMENTS[signer] };
    }),
  };
}

export interface ChannelTokenOptions {
  /** Default: the lab bot's app id (its managed identity's client id). */
  audience?: string;
  issuer?: string;
  /** Default: the activity's serviceUrl. */
  serviceUrl?: string;
  /** Seconds until it expires (default 3600); negative: expired that long ago (the SDK tolerates 300 s). */
  expiresIn?: number;
  signer?: ChannelSigner;
  /** The header's key id; default the signer's. */
  kid?: string;
}

/** A channel→bot token for this activity, as the Bot Framework signs it. */
export function channelToken(activity: { serviceUrl?: unknown }, options: ChannelTokenOptions = {}): string {
  const signer = options.signer ?? 'msteams';
  const now = Math.floor(Date.now() / 1000);
  const exp = now + (options.expiresIn ?? 3600);
  const claims = {
    serviceurl: options.serviceUrl ?? String(activity.serviceUrl ?? ''),
    nbf: Math.min(now, exp) - 300,
    exp,
    iss: options.issuer ?? CHANNEL_TOKEN_ISSUER,
    aud: options.audience ?? LAB_BOT_IDENTITY.clientId,
  };
  const b64 = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signed = `${b64({ alg: 'RS256', kid: options.kid ?? KIDS[signer], typ: 'JWT' })}.${b64(claims)}`;
  return `${signed}.${sign('sha256', Buffer.from(signed), signingKeys()[signer]).toString('base64url')}`;
}

/** A message as Teams delivers it to the bot: its serviceUrl, the lab tenant, the user's Entra id. */
export function teamsActivity(conversation: string, fields: Record<string, unknown> = {}, appId: string = LAB_BOT_IDENTITY.clientId): Record<string, unknown> {
  return {
    type: 'message',
    id: `teams-${conversation}-${Date.now()}`,
    timestamp: new Date().toISOString(),
    channelId: 'msteams',
    serviceUrl: LAB_SERVICE_URL,
    from: { id: LAB_USERS.alice.teamsId, name: LAB_USERS.alice.name, aadObjectId: LAB_USERS.alice.oid },
    recipient: { id: `28:${appId}`, name: 'acr-doctor' },
    conversation: { id: conversation, conversationType: 'personal', tenantId: LAB_TENANT },
    channelData: { tenant: { id: LAB_TENANT } },
    locale: 'en-US',
    ...fields,
  };
}

export interface AuthenticatedBotOptions {
  port: number;
  /** The bot's app id: its user-assigned managed identity's client id. */
  appId?: string;
  allowedTenants?: string;
  publicUrl?: string;
}

/**
 * The environment of a bot deployed as Azure deploys it (UserAssignedMSI), with the Bot Framework's
 * endpoints at the lab's fakes. It also needs the fake IMDS running (startFakeImds) and the channel.
 */
export function authenticatedBotEnv(options: AuthenticatedBotOptions): Record<string, string> {
  const appId = options.appId ?? LAB_BOT_IDENTITY.clientId;
  return {
    PORT: String(options.port),
    HOST: '127.0.0.1',
    MicrosoftAppId: appId,
    MicrosoftAppType: 'UserAssignedMSI',
    MicrosoftAppTenantId: LAB_TENANT,
    ALLOWED_TENANTS: options.allowedTenants ?? LAB_TENANT,
    BOT_PUBLIC_URL: options.publicUrl ?? 'https://acr-doctor.lab.example',
    AZURE_CLIENT_ID: appId,
    AZURE_TOKEN_CREDENTIALS: 'ManagedIdentityCredential',
    ToBotFromChannelOpenIdMetadataUrl: CHANNEL_OPENID_URL,
    ToBotFromChannelTokenIssuer: CHANNEL_TOKEN_ISSUER,
    ToChannelFromBotOAuthScope: BOT_FRAMEWORK_AUDIENCE,
    ToChannelFromBotLoginUrl: `https://${LAB_AUTHORITY_HOST}/${LAB_TENANT}`,
    OAuthUrl: `https://${TOKEN_SERVICE_HOST}`,
  };
}

/** What the connector made of a bearer token: its claims, and why it was refused, if it was. */
export interface BearerSeen {
  aud: unknown;
  iss: unknown;
  appid: unknown;
  refused?: string;
}

export interface AuthenticatedConnector {
  /** The serviceUrl activities carry. */
  url: string;
  /** Replies and updates accepted (with a valid bearer token). */
  sent: Sent[];
  /** Every request's bearer token, accepted or refused, as claims. */
  bearers: BearerSeen[];
  waitFor(predicate: (s: Sent[]) => boolean, ms?: number): Promise<void>;
}

export interface RunningChannel {
  openIdUrl: string;
  connector: AuthenticatedConnector;
  /** Lines for a CliWorld's hosts file, for processes that do not use the lab's DNS. */
  hosts: string[];
  /** Requests for the OpenID document and the keys. */
  metadataFetches: () => number;
  close(): Promise<void>;
}

/** Why the Bot Framework would refuse this bearer token from the bot, or undefined. */
function bearerRefusal(authorization: string | undefined, botAppId: string): { seen: BearerSeen | undefined; refusal?: string } {
  const match = /^Bearer (\S+)$/.exec(authorization ?? '');
  if (!match) return { seen: undefined, refusal: 'no bearer token' };
  const claims = claimsOf(match[1]!);
  const seen: BearerSeen = { aud: claims.aud, iss: claims.iss, appid: claims.appid ?? claims.azp };
  if (String(claims.aud).replace(/\/$/, '') !== BOT_FRAMEWORK_AUDIENCE) return { seen, refusal: `audience ${String(claims.aud)}` };
  if (claims.iss !== LAB_ISSUER_V1 && claims.iss !== LAB_ISSUER_V2) return { seen, refusal: `issuer ${String(claims.iss)}` };
  if (seen.appid !== botAppId) return { seen, refusal: `app ${String(seen.appid)}` };
  if (typeof claims.exp !== 'number' || claims.exp * 1000 <= Date.now()) return { seen, refusal: 'expired' };
  return { seen };
}

/** Puts the channel's addresses on `lo`, inside the isolated namespace only; the ones added, to remove. */
function addAddresses(): string[] {
  assertIsolated();
  const present = execFileSync('ip', ['-o', '-4', 'addr', 'show', 'dev', 'lo'], { encoding: 'utf8' });
  const added: string[] = [];
  for (const address of Object.values(CHANNEL_ADDRESSES)) {
    if (present.includes(` ${address}/`)) continue;
    execFileSync('ip', ['addr', 'add', `${address}/32`, 'dev', 'lo']);
    added.push(address);
  }
  return added;
}

/** The channel's OpenID metadata and keys, and Teams' connector taking the bot's replies with its token. */
export async function startFakeChannel(lab: { pki: LabPki; zone?: LabZone }, options: { botAppId?: string } = {}): Promise<RunningChannel> {
  const botAppId = options.botAppId ?? LAB_BOT_IDENTITY.clientId;
  const added = addAddresses();
  for (const [host, address] of [[CHANNEL_OPENID_HOST, CHANNEL_ADDRESSES.openId], [CONNECTOR_HOST, CHANNEL_ADDRESSES.connector]] as const) {
    if (lab.zone && !lab.zone.records.has(host)) lab.zone.add(host, { type: 'A', data: address });
  }
  const tls = { key: lab.pki.botFramework.key, cert: lab.pki.botFramework.cert };
  let fetches = 0;
  const openId = https.createServer(tls, (req, res) => {
    const json = (status: number, body: object): void => answer(res, status, body);
    if (req.method === 'GET' && req.url === new URL(CHANNEL_OPENID_URL).pathname) {
      fetches++;
      return json(200, {
        issuer: CHANNEL_TOKEN_ISSUER,
        authorization_endpoint: 'https://invalid.botframework.com',
        jwks_uri: JWKS_URL,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (req.method === 'GET' && req.url === new URL(JWKS_URL).pathname) {
      fetches++;
      return json(200, channelJwks());
    }
    json(404, { error: 'not_found' });
  });

  const sent: Sent[] = [];
  const bearers: BearerSeen[] = [];
  let next = 0;
  const connector = https.createServer(tls, (req, res) => {
    void readBody(req).then((body) => {
      const { seen, refusal } = bearerRefusal(req.headers.authorization, botAppId);
      bearers.push({ ...(seen ?? { aud: undefined, iss: undefined, appid: undefined }), ...(refusal ? { refused: refusal } : {}) });
      if (refusal) return answer(res, 401, { message: 'Authorization has been denied for this request.' });
      const match = ACTIVITIES.exec(req.url ?? '');
      if (!match || (req.method !== 'POST' && req.method !== 'PUT')) return void res.writeHead(404).end();
      const id = req.method === 'PUT' ? decodeURIComponent(match[2] ?? '') : `reply-${++next}`;
      sent.push({ method: req.method, conversation: decodeURIComponent(match[1]!), id, activity: JSON.parse(body || '{}') as Sent['activity'] });
      answer(res, 200, { id });
    });
  });
  const servers = [await serve(openId, CHANNEL_ADDRESSES.openId, 443), await serve(connector, CHANNEL_ADDRESSES.connector, 443)];
  return {
    openIdUrl: CHANNEL_OPENID_URL,
    hosts: [`${CHANNEL_ADDRESSES.openId} ${CHANNEL_OPENID_HOST}`, `${CHANNEL_ADDRESSES.connector} ${CONNECTOR_HOST}`],
    metadataFetches: () => fetches,
    connector: {
      url: LAB_SERVICE_URL,
      sent,
      bearers,
      waitFor: (predicate, ms = 20_000) =>
        eventually(() => predicate(sent), () => `the connector did not see the expected activities: ${JSON.stringify(sent.map((s) => [s.method, s.conversation, s.activity.text ?? s.activity.attachments?.[0]?.contentType]))}; bearer tokens: ${JSON.stringify(bearers)}`, ms),
    },
    close: async () => {
      await Promise.allSettled(servers.map((s) => s.close()));
      for (const address of added) execFileSync('ip', ['addr', 'del', `${address}/32`, 'dev', 'lo']);
    },
  };
}
