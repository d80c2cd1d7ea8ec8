/** The bot's configuration, read once from the environment, typed. */
import { NODE_IMAGE } from '../handover/run-commands.js';
import { readTicketConfig, type TicketConfig } from '../escalation/sinks/choose.js';
import { MAX_REPORT_BYTES } from '../handover/protocol.js';
import type { DiagnosisLimits } from './live-diagnosis.js';
import { readArmPolicy, type ArmPolicy } from '../engine/azure/arm-policy.js';
import type { SsoConfig } from '../engine/azure/on-behalf-of.js';
import { isGuid } from '../engine/arm/resource-id.js';
import { isLoopbackHost } from './http/request-guard.js';
import { isHttpsOrLoopback } from '../engine/net/transport-rule.js';

const APP_TYPES = ['SingleTenant', 'UserAssignedMSI', 'MultiTenant'] as const;

export interface BotConfig {
  /**
   * The environment Azure's identity libraries and clouds read (AZURE_*, ARM_ENDPOINT,
   * AZURE_AUTHORITY_HOST, LOG_ANALYTICS_ENDPOINT): handed to the engine from here, which reads none itself.
   */
  azureEnv: NodeJS.ProcessEnv;
  host: string;
  port: number;
  /** Empty: unauthenticated, for local use only. */
  appId: string;
  appPassword: string;
  appType: string;
  appTenantId: string;
  /** Tenants allowed to use the bot; `*`: any (required with an app id); empty: any, only unauthenticated on loopback. */
  allowedTenants: string[];
  budgetMs: number;
  maxBodyBytes: number;
  logLevel: string;
  /** Azure Blob Storage for conversation state, so several instances serve one conversation; MemoryStorage when both are empty. */
  storageConnectionString: string;
  /** The storage account's blob endpoint, reached with the bot's Entra identity (no shared key); instead of a connection string. */
  storageBlobUrl: string;
  storageContainer: string;
  /** Where escalations go (TICKET_SINK and its settings). */
  tickets: TicketConfig;
  /** The bot's address as the failing machines reach it, for `acr-check --send`. */
  publicUrl: string;
  /** How long a hand-over code may be used. */
  handoverTtlMs: number;
  /** The image the AKS one-liner runs acr-check in. */
  handoverImage: string;
  /** Report uploads one address may make per minute. */
  reportsPerMinute: number;
  /** Diagnoses at once, waiting for a place, and at once in one conversation. */
  diagnoses: DiagnosisLimits;
  /** Whose rights Azure is read with, and how far (ARM_ACCESS, ARM_SCOPES). */
  armPolicy: ArmPolicy;
  /** Teams single sign-on and the on-behalf-of exchange, when configured. */
  sso?: SsoConfig;
  /**
   * Bot Framework endpoints other than the public cloud's (sovereign clouds, a lab): the SDK's own
   * setting names, passed through when set (OAuthUrl, ToBotFromChannelOpenIdMetadataUrl, ...).
   */
  botFrameworkEndpoints: Record<string, string>;
  /** Reverse proxies in front of the bot (App Service, Front Door): the client is the X-Forwarded-For entry the outermost one added. */
  trustedProxyHops: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${JSON.stringify(env[name])}`);
  return value;
}

/** The bot registration's kind; single-tenant unless told (Azure creates no new multi-tenant bots since 2025-07-31). */
function botAppType(env: NodeJS.ProcessEnv): string {
  const given = (env.MicrosoftAppType ?? 'SingleTenant').trim();
  const type = APP_TYPES.find((t) => t.toLowerCase() === given.toLowerCase());
  if (!type) throw new Error(`MicrosoftAppType must be one of ${APP_TYPES.join(', ')}, not ${JSON.stringify(env.MicrosoftAppType)}`);
  if (type !== 'MultiTenant' && !env.MicrosoftAppTenantId) throw new Error(`MicrosoftAppType=${type} needs MicrosoftAppTenantId: the tenant of the bot's registration`);
  if (type === 'UserAssignedMSI' && env.MicrosoftAppPassword) throw new Error('MicrosoftAppType=UserAssignedMSI takes no MicrosoftAppPassword: the managed identity is the credential (MicrosoftAppId is its client id)');
  if (type !== 'UserAssignedMSI' && !env.MicrosoftAppPassword) throw new Error(`MicrosoftAppType=${type} needs MicrosoftAppPassword (the app registration's client secret), or use a managed identity (UserAssignedMSI)`);
  return type;
}

/** BOT_STORAGE_BLOB_URL: https://<account>.blob.core.windows.net (plain http only to this machine: Azurite). */
function blobUrl(env: NodeJS.ProcessEnv): string {
  const given = (env.BOT_STORAGE_BLOB_URL ?? '').trim().replace(/\/+$/, '');
  if (!given) return '';
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new Error(`BOT_STORAGE_BLOB_URL must be the storage account's blob endpoint (https://<account>.blob.core.windows.net), not ${JSON.stringify(given)}`);
  }
  if (!isHttpsOrLoopback(url) || url.username || url.password || url.search) throw new Error('BOT_STORAGE_BLOB_URL must be https:// (plain http only to localhost), without credentials or a query (no SAS: the bot signs in with its identity)');
  return given;
}

/**
 * Where failing machines reach the bot (on the hand-over card): BOT_PUBLIC_URL, else App Service's own
 * host name; unauthenticated, the local address. Empty when an authenticated bot does not know it:
 * a loopback address is never shown to a remote user.
 */
function publicUrl(env: NodeJS.ProcessEnv, port: number, authenticated: boolean): string {
  const given = env.BOT_PUBLIC_URL ? env.BOT_PUBLIC_URL.trim().replace(/\/+$/, '') : env.WEBSITE_HOSTNAME ? `https://${env.WEBSITE_HOSTNAME.trim()}` : '';
  if (env.BOT_PUBLIC_URL) {
    // acr-check --send refuses plain http to anything but its own machine: the cards would show commands that fail.
    let parsed: URL | undefined;
    try {
      parsed = new URL(given);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !isHttpsOrLoopback(parsed)) throw new Error(`BOT_PUBLIC_URL must be an https:// address (plain http only to this machine), not ${JSON.stringify(env.BOT_PUBLIC_URL)}`);
  }
  if (!authenticated) return given || `http://${env.HOST ?? '127.0.0.1'}:${port}`;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return '';
  }
  return isLoopbackHost(url.hostname.replace(/^\[|\]$/g, '')) ? '' : given;
}

/** The public cloud's Emulator metadata (botframework-connector's AuthenticationConstants). */
const EMULATOR_OPENID_METADATA = 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration';

/** The Bot Framework SDK's endpoint settings, by its own names; each an https address. */
function botFrameworkEndpoints(env: NodeJS.ProcessEnv): Record<string, string> {
  const named: Record<string, string | undefined> = {
    OAuthUrl: env.OAuthUrl,
    ToBotFromChannelOpenIdMetadataUrl: env.ToBotFromChannelOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: env.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: env.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: env.ToChannelFromBotOAuthScope,
    ChannelService: env.ChannelService,
    ToBotFromEmulatorOpenIdMetadataUrl: env.ToBotFromEmulatorOpenIdMetadataUrl,
  };
  const given: Record<string, string> = {};
  for (const [name, raw] of Object.entries(named)) {
    const value = raw?.trim();
    if (!value) continue;
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== 'https:') throw new Error(`${name} must be an https:// address, not ${JSON.stringify(value)}`);
    given[name] = value;
  }
  // Given any, the SDK takes only what it is given: the Emulator's metadata would be an empty address.
  if (Object.keys(given).length > 0) given.ToBotFromEmulatorOpenIdMetadataUrl ??= EMULATOR_OPENID_METADATA;
  return given;
}

/**
 * Teams single sign-on: the Azure Bot's OAuth connection (SSO_CONNECTION_NAME) and the app
 * registration it signs users in to (SSO_APP_ID), which exchanges their token on their behalf,
 * proved by SSO_CLIENT_SECRET or, without one, by the managed identity (AZURE_CLIENT_ID).
 */
function readSso(env: NodeJS.ProcessEnv, authenticated: boolean): SsoConfig | undefined {
  const connectionName = (env.SSO_CONNECTION_NAME ?? '').trim();
  const appId = (env.SSO_APP_ID ?? '').trim().toLowerCase();
  if (!connectionName && !appId) return undefined;
  if (!connectionName || !appId) throw new Error('single sign-on needs both SSO_CONNECTION_NAME (the Azure Bot\'s OAuth connection) and SSO_APP_ID (its app registration\'s client id)');
  if (!isGuid(appId)) throw new Error(`SSO_APP_ID must be the app registration's client id (a GUID), not ${JSON.stringify(env.SSO_APP_ID)}`);
  if (!authenticated) throw new Error('single sign-on needs an authenticated bot (MicrosoftAppId): Teams signs users in only to a registered bot');
  const tenantId = (env.MicrosoftAppTenantId ?? '').trim();
  if (!tenantId) throw new Error('single sign-on needs MicrosoftAppTenantId: the tenant of the SSO app registration');
  const secret = env.SSO_CLIENT_SECRET ?? '';
  if (!secret && !env.AZURE_CLIENT_ID) throw new Error('single sign-on needs SSO_CLIENT_SECRET, or a managed identity (AZURE_CLIENT_ID) that the app registration trusts through a federated credential');
  return { connectionName, appId, tenantId, ...(secret ? { clientSecret: secret } : { managedIdentityClientId: env.AZURE_CLIENT_ID! }) };
}

/** A whole number from `min` up (a count of things). */
function count(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min || value > 100_000) throw new Error(`${name} must be a whole number from ${min} to 100000, not ${JSON.stringify(env[name])}`);
  return value;
}

/** TRUST_FORWARDED_FOR: how many reverse proxies stand in front (`true` is one); unset or 0: none. */
function proxyHops(value: string | undefined): number {
  if (value === undefined || value === '' || value === '0' || value === 'false') return 0;
  if (value === 'true') return 1;
  const hops = Number(value);
  if (!Number.isInteger(hops) || hops < 0 || hops > 10) throw new Error(`TRUST_FORWARDED_FOR must be the number of trusted proxies (0–10) or true, not ${JSON.stringify(value)}`);
  return hops;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const port = Number(env.PORT ?? 3978);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${JSON.stringify(env.PORT)}`);
  const host = env.HOST ?? '127.0.0.1';
  const appId = env.MicrosoftAppId ?? '';
  if (!appId && !isLoopbackHost(host)) {
    throw new Error(`HOST=${host} without MicrosoftAppId: an unauthenticated bot listens on loopback only (HOST=127.0.0.1); set MicrosoftAppId to serve other hosts`);
  }
  const allowedTenants = (env.ALLOWED_TENANTS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (appId && allowedTenants.length === 0) {
    throw new Error('ALLOWED_TENANTS is required with MicrosoftAppId: the tenant ids that may use the bot, comma-separated, or * for any tenant');
  }
  const appType = appId ? botAppType(env) : '';
  const sso = readSso(env, Boolean(appId));
  const storageBlobUrl = blobUrl(env);
  if (storageBlobUrl && env.BOT_STORAGE_CONNECTION_STRING) throw new Error('set BOT_STORAGE_BLOB_URL (Entra) or BOT_STORAGE_CONNECTION_STRING (a key, or Azurite), not both');
  return {
    azureEnv: env,
    host,
    port,
    appId,
    appPassword: env.MicrosoftAppPassword ?? '',
    appType,
    appTenantId: env.MicrosoftAppTenantId ?? '',
    allowedTenants,
    budgetMs: positive(env, 'DIAGNOSIS_BUDGET_MS', 8000),
    maxBodyBytes: MAX_REPORT_BYTES,
    logLevel: env.LOG_LEVEL ?? 'info',
    storageConnectionString: env.BOT_STORAGE_CONNECTION_STRING ?? '',
    storageBlobUrl,
    storageContainer: env.BOT_STORAGE_CONTAINER ?? 'acr-doctor-state',
    tickets: readTicketConfig(env),
    publicUrl: publicUrl(env, port, Boolean(appId)),
    handoverTtlMs: positive(env, 'HANDOVER_CODE_TTL_MS', 15 * 60_000),
    handoverImage: env.HANDOVER_NODE_IMAGE ?? NODE_IMAGE,
    reportsPerMinute: positive(env, 'REPORTS_PER_MINUTE', 10),
    trustedProxyHops: proxyHops(env.TRUST_FORWARDED_FOR),
    armPolicy: readArmPolicy(env, Boolean(appId), Boolean(sso)),
    botFrameworkEndpoints: botFrameworkEndpoints(env),
    ...(sso ? { sso } : {}),
    diagnoses: {
      running: count(env, 'MAX_DIAGNOSES', 64),
      waiting: count(env, 'MAX_QUEUED_DIAGNOSES', 256, 0),
      perConversation: count(env, 'MAX_DIAGNOSES_PER_CONVERSATION', 3),
    },
  };
}
