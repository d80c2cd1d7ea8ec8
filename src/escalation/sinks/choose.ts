/** The ticket sink the configuration names, made once at start (and its mistakes reported then). */
import path from 'node:path';
import { cloudFor } from '../../engine/azure/cloud.js';
import { isHttpsOrLoopback } from '../../engine/net/transport-rule.js';
import { defaultCredential, sharedTokens } from '../../engine/azure/credential.js';
import { isGuid } from '../../engine/arm/resource-id.js';
import { isSeverity, SEVERITIES, type Severity, type SinkKind, type TicketSink } from '../ticket.js';
import { AzureSupportSink } from './azure-support.js';
import { LocalTicketStore } from './local-store.js';
import { WebhookSink } from './webhook.js';

export interface TicketConfig {
  sink: SinkKind;
  /** Where the outbox and the local store live. */
  dataDir: string;
  webhookUrl: string;
  webhookSecret: string;
  webhookSeverities: Severity[];
  supportProblemClassificationId: string;
  supportTimeZone: string;
  supportCountry: string;
  /** The subscription for tickets whose registry the bot did not find in ARM. */
  supportSubscriptionId: string;
  /** The subscriptions a user may choose from when the registry's own is not known (the default first). */
  supportSubscriptionIds: string[];
  /** The highest severity a user may choose (default: critical, not the top one). */
  maxSeverity: Severity;
  /** New escalations one user may make in an hour. */
  escalationsPerHour: number;
  retryFirstDelayMs: number;
}

const SINKS: readonly SinkKind[] = ['local', 'webhook', 'azure'];

export function readTicketConfig(env: NodeJS.ProcessEnv): TicketConfig {
  const sink = (env.TICKET_SINK ?? 'local').trim().toLowerCase();
  if (!(SINKS as readonly string[]).includes(sink)) throw new Error(`TICKET_SINK must be one of ${SINKS.join(', ')}, not ${JSON.stringify(env.TICKET_SINK)}`);
  const severities = (env.TICKET_WEBHOOK_SEVERITIES ?? 'minimal,moderate,critical').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = severities.filter((s) => !isSeverity(s));
  if (unknown.length) throw new Error(`TICKET_WEBHOOK_SEVERITIES: unknown severity ${unknown.join(', ')}`);
  const config: TicketConfig = {
    sink: sink as SinkKind,
    dataDir: path.resolve(env.DATA_DIR ?? 'data'),
    webhookUrl: env.TICKET_WEBHOOK_URL ?? '',
    webhookSecret: env.TICKET_WEBHOOK_SECRET ?? '',
    webhookSeverities: severities as Severity[],
    supportProblemClassificationId: env.SUPPORT_PROBLEM_CLASSIFICATION_ID ?? '',
    supportTimeZone: env.SUPPORT_TIMEZONE ?? 'UTC',
    supportCountry: env.SUPPORT_COUNTRY ?? 'usa',
    supportSubscriptionId: (env.SUPPORT_SUBSCRIPTION_ID ?? '').trim().toLowerCase(),
    supportSubscriptionIds: [],
    maxSeverity: (env.TICKET_MAX_SEVERITY ?? 'critical').trim().toLowerCase() as Severity,
    escalationsPerHour: Number(env.ESCALATIONS_PER_USER_PER_HOUR ?? 5),
    retryFirstDelayMs: Number(env.TICKET_RETRY_FIRST_MS ?? 5000),
  };
  if (config.sink === 'webhook') {
    let url: URL;
    try {
      url = new URL(config.webhookUrl);
    } catch {
      throw new Error(`TICKET_SINK=webhook needs TICKET_WEBHOOK_URL (an https:// address), not ${JSON.stringify(config.webhookUrl)}`);
    }
    if (!isHttpsOrLoopback(url)) throw new Error('TICKET_WEBHOOK_URL must be https:// (plain http only to localhost)');
    if (url.username || url.password) throw new Error('TICKET_WEBHOOK_URL must not carry credentials; the HMAC secret authenticates the bot');
    if (config.webhookSecret.length < 16) throw new Error('TICKET_SINK=webhook needs TICKET_WEBHOOK_SECRET, at least 16 characters, to sign each request');
  }
  if (!Number.isFinite(config.retryFirstDelayMs) || config.retryFirstDelayMs < 0) throw new Error('TICKET_RETRY_FIRST_MS must be a number of milliseconds');
  if (!isSeverity(config.maxSeverity)) throw new Error(`TICKET_MAX_SEVERITY must be one of ${SEVERITIES.join(', ')}, not ${JSON.stringify(env.TICKET_MAX_SEVERITY)}`);
  if (!Number.isInteger(config.escalationsPerHour) || config.escalationsPerHour < 1) throw new Error(`ESCALATIONS_PER_USER_PER_HOUR must be a whole number from 1, not ${JSON.stringify(env.ESCALATIONS_PER_USER_PER_HOUR)}`);
  // Azure support files where the registry was found, or in one of these: never where a user says.
  const listed = (env.SUPPORT_SUBSCRIPTION_IDS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const subscriptions = [...new Set([config.supportSubscriptionId, ...listed].filter(Boolean))];
  const notGuid = subscriptions.filter((s) => !isGuid(s));
  if (notGuid.length) throw new Error(`SUPPORT_SUBSCRIPTION_ID and SUPPORT_SUBSCRIPTION_IDS take subscription ids (GUIDs), not ${notGuid.map((s) => JSON.stringify(s)).join(', ')}`);
  config.supportSubscriptionIds = subscriptions;
  return config;
}

export const localStoreDir = (dataDir: string): string => path.join(dataDir, 'tickets');
export const outboxDir = (dataDir: string): string => path.join(dataDir, 'outbox');

export function ticketSink(config: TicketConfig, env: NodeJS.ProcessEnv = process.env): TicketSink {
  switch (config.sink) {
    case 'webhook':
      return new WebhookSink({ url: config.webhookUrl, secret: config.webhookSecret, severities: config.webhookSeverities });
    case 'azure': {
      const cloud = cloudFor('azurecr.io', env);
      let credential: ReturnType<typeof defaultCredential> | undefined;
      return new AzureSupportSink({
        cloud,
        credential: () => (credential ??= defaultCredential(cloud, env).then(sharedTokens)),
        ...(config.supportProblemClassificationId ? { problemClassificationId: config.supportProblemClassificationId } : {}),
        timeZone: config.supportTimeZone,
        country: config.supportCountry,
        ...(env.SUPPORT_POLL_INTERVAL_MS ? { pollIntervalMs: Number(env.SUPPORT_POLL_INTERVAL_MS) } : {}),
      });
    }
    default:
      return new LocalTicketStore(localStoreDir(config.dataDir));
  }
}
