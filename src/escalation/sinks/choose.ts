/** The ticket sink the configuration names, made once at start (and its mistakes reported then). */
import path from 'node:path';
import { cloudFor } from '../../azure/cloud.js';
import { isHttpsOrLoopback } from '../../http/transport-rule.js';
import { defaultCredential, sharedTokens } from '../../azure/credential.js';
import { isSeverity, type Severity, type SinkKind, type TicketSink } from '../ticket.js';
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
  /** The subscription for tickets whose diagnosis names none. */
  supportSubscriptionId: string;
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
    supportSubscriptionId: env.SUPPORT_SUBSCRIPTION_ID ?? '',
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
