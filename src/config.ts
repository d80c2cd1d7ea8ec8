/** The bot's configuration, read once from the environment, typed. */
import { readTicketConfig, type TicketConfig } from './escalation/sinks/choose.js';

export interface BotConfig {
  host: string;
  port: number;
  /** Empty: unauthenticated, for local use only. */
  appId: string;
  appPassword: string;
  appType: string;
  appTenantId: string;
  /** Tenants allowed to use the bot; empty: any. */
  allowedTenants: string[];
  budgetMs: number;
  maxBodyBytes: number;
  logLevel: string;
  /** Azure Blob Storage for conversation state, so several instances serve one conversation; MemoryStorage when empty. */
  storageConnectionString: string;
  storageContainer: string;
  /** Where escalations go (TICKET_SINK and its settings). */
  tickets: TicketConfig;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): BotConfig {
  const port = Number(env.PORT ?? 3978);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not ${JSON.stringify(env.PORT)}`);
  return {
    host: env.HOST ?? '127.0.0.1',
    port,
    appId: env.MicrosoftAppId ?? '',
    appPassword: env.MicrosoftAppPassword ?? '',
    appType: env.MicrosoftAppType ?? (env.MicrosoftAppId ? 'MultiTenant' : ''),
    appTenantId: env.MicrosoftAppTenantId ?? '',
    allowedTenants: (env.ALLOWED_TENANTS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    budgetMs: Number(env.DIAGNOSIS_BUDGET_MS ?? 8000),
    maxBodyBytes: 256 * 1024,
    logLevel: env.LOG_LEVEL ?? 'info',
    storageConnectionString: env.BOT_STORAGE_CONNECTION_STRING ?? '',
    storageContainer: env.BOT_STORAGE_CONTAINER ?? 'acr-doctor-state',
    tickets: readTicketConfig(env),
  };
}
