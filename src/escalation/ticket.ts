/**
 * What a support ticket is made of, whichever system it goes to. A ticket request carries the whole
 * diagnosis (the report), who to contact, and where the conversation is; `key` makes it idempotent.
 */
import { createHash } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import type { Report } from '../engine/report/types.js';

/** Azure support's severity levels, mildest first; a sink declares which of them it takes. */
export const SEVERITIES = ['minimal', 'moderate', 'critical', 'highestcriticalimpact'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CONTACT_METHODS = ['email', 'phone'] as const;
export type ContactMethod = (typeof CONTACT_METHODS)[number];

export interface Contact {
  firstName: string;
  lastName: string;
  email: string;
  method: ContactMethod;
  phone?: string;
}

/** Where the diagnosis was discussed: enough for a support engineer to find the conversation. */
export interface ConversationLink {
  channelId: string;
  conversationId: string;
  tenantId?: string;
  /** A link into the client (Teams), when the channel has one. */
  url?: string;
}

export interface TicketRequest {
  /** The idempotency key: one ticket per diagnosis, however often it is sent. */
  key: string;
  title: string;
  severity: Severity;
  /** What the user wrote. */
  description: string;
  contact: Contact;
  /** The language the user speaks (the ticket text itself is English, for support engineers). */
  lang: Report['lang'];
  /** The subscription the ticket is filed under (Azure support needs one). */
  subscriptionId?: string;
  /** Where the checks ran: the bot's own network, or the client's machine. */
  vantage: 'bot' | 'client';
  conversation: ConversationLink;
  report: Report;
}

export type SinkKind = 'local' | 'webhook' | 'azure';

export interface Ticket {
  key: string;
  sink: SinkKind;
  /** The ticket number people quote. */
  id: string;
  /** Where to open it, when the system has a web view. */
  url?: string;
  status: string;
  createdAt: string;
}

/**
 * Where tickets go. `deliver` must be idempotent for one key: it asks the system whether the ticket
 * exists before it creates one, so a retry after a crash never makes a second.
 */
export interface TicketSink {
  readonly kind: SinkKind;
  readonly severities: readonly Severity[];
  /** Whether a ticket must name an Azure subscription. */
  readonly needsSubscription: boolean;
  /** `credential`: the asker's own (on their behalf), where the sink files with the asker's rights. */
  deliver(request: TicketRequest, signal: AbortSignal, credential?: TokenCredential): Promise<Ticket>;
  /** The ticket filed under `key`, if any (Azure support looks in `subscriptionId`). */
  find(key: string, signal: AbortSignal, subscriptionId?: string): Promise<Ticket | undefined>;
}

/** A delivery that failed; `permanent` when sending the same again cannot succeed (a 400, a 403). */
export class SinkError extends Error {
  override readonly name = 'SinkError';
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The idempotency key of the ticket for a diagnosis: the same diagnosis always gives the same key. */
const TICKET_KEY = /^acr-doctor-[0-9a-f]{32}$/;

/** A key as ticketKey makes them: anything else (`../tickets/x`) names no escalation and no file. */
export function isTicketKey(key: string): boolean {
  return TICKET_KEY.test(key);
}

export function ticketKey(report: Pick<Report, 'id'>, vantage: TicketRequest['vantage'] = 'bot'): string {
  // Namespaced by vantage: a client's report can never claim the key of the bot's own diagnosis.
  const name = vantage === 'bot' ? `ticket:${report.id}` : `ticket:${vantage}:${report.id}`;
  return `acr-doctor-${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}

export const isSeverity = (value: string): value is Severity => (SEVERITIES as readonly string[]).includes(value);

/** The severities a user may choose: the sink's, up to `max`. */
export function severitiesUpTo(severities: readonly Severity[], max: Severity): Severity[] {
  return severities.filter((s) => SEVERITIES.indexOf(s) <= SEVERITIES.indexOf(max));
}

/** What users may choose, set by whoever runs the bot. */
export interface EscalationPolicy {
  /** The severities offered: the sink's, up to the configured highest. */
  severities: readonly Severity[];
  /**
   * Where Azure support tickets may be filed when the bot did not find the registry's own
   * subscription in ARM: a typed or uploaded resource id is never trusted for this.
   */
  subscriptions: readonly string[];
}
