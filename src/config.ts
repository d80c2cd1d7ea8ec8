/** The bot's configuration, read once from the environment, typed. */
import { NODE_IMAGE } from './bot/handover-cards.js';
import { readTicketConfig, type TicketConfig } from './escalation/sinks/choose.js';
import { MAX_REPORT_BYTES } from './handover/protocol.js';
import type { DiagnosisLimits } from './bot/live-diagnosis.js';
import { isLoopbackHost } from './http/request-guard.js';

export interface BotConfig {
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
  /** Azure Blob Storage for conversation state, so several instances serve one conversation; MemoryStorage when empty. */
  storageConnectionString: string;
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
  /** Reverse proxies in front of the bot (App Service, Front Door): the client is the X-Forwarded-For entry the outermost one added. */
  trustedProxyHops: number;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, not ${JSON.stringify(env[name])}`);
  return value;
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
  return {
    host,
    port,
    appId,
    appPassword: env.MicrosoftAppPassword ?? '',
    appType: env.MicrosoftAppType ?? (env.MicrosoftAppId ? 'MultiTenant' : ''),
    appTenantId: env.MicrosoftAppTenantId ?? '',
    allowedTenants,
    budgetMs: Number(env.DIAGNOSIS_BUDGET_MS ?? 8000),
    maxBodyBytes: MAX_REPORT_BYTES,
    logLevel: env.LOG_LEVEL ?? 'info',
    storageConnectionString: env.BOT_STORAGE_CONNECTION_STRING ?? '',
    storageContainer: env.BOT_STORAGE_CONTAINER ?? 'acr-doctor-state',
    tickets: readTicketConfig(env),
    publicUrl: (env.BOT_PUBLIC_URL ?? `http://${env.HOST ?? '127.0.0.1'}:${port}`).replace(/\/+$/, ''),
    handoverTtlMs: positive(env, 'HANDOVER_CODE_TTL_MS', 15 * 60_000),
    handoverImage: env.HANDOVER_NODE_IMAGE ?? NODE_IMAGE,
    reportsPerMinute: positive(env, 'REPORTS_PER_MINUTE', 10),
    trustedProxyHops: proxyHops(env.TRUST_FORWARDED_FOR),
    diagnoses: {
      running: count(env, 'MAX_DIAGNOSES', 64),
      waiting: count(env, 'MAX_QUEUED_DIAGNOSES', 256, 0),
      perConversation: count(env, 'MAX_DIAGNOSES_PER_CONVERSATION', 3),
    },
  };
}
