/**
 * A generic HTTPS webhook (ServiceNow, Jira or any in-house queue). The protocol, as
 * docs/tickets-webhook.md documents it for whoever writes the receiver:
 * - `GET <url>/<key>`: 200 with the ticket when one exists for that key, 404 when not (a receiver
 *   without lookups may answer 404 or 405 always; then the key alone prevents duplicates).
 * - `POST <url>`: the ticket as JSON, with `Idempotency-Key: <key>`; a repeated key must answer the
 *   ticket already created. 200/201 with `{ "id": …, "url"?: …, "status"?: … }`.
 * - Both carry `X-Acr-Doctor-Signature: t=<unix seconds>,v2=<hex HMAC>` over the method, path, key,
 *   time and body (webhook-signature.ts).
 * Deliveries go through the proxy HTTPS_PROXY / NO_PROXY select for the receiver's host, read when the
 * sink is made, as the probes and `--send` choose theirs.
 */
import type { Dispatcher } from 'undici';
import { makeDispatcher } from '../../engine/net/dispatcher.js';
import { selectProxy } from '../../engine/net/proxy-env.js';
import { request as httpRequest } from '../../engine/net/undici-lean.js';
import { TOOL } from '../../engine/version.js';
import { SEVERITIES, SinkError, type Severity, type Ticket, type TicketRequest, type TicketSink } from '../ticket.js';
import { ticketText } from '../ticket-text.js';
import { SIGNATURE_HEADER, signRequest } from './webhook-signature.js';

export interface WebhookOptions {
  url: string;
  secret: string;
  severities?: readonly Severity[];
  timeoutMs?: number;
}

/** Statuses worth sending again: the receiver was busy, slow or down, not saying no. */
const TRANSIENT = new Set([408, 409, 425, 429]);

export class WebhookSink implements TicketSink {
  readonly kind = 'webhook';
  readonly severities: readonly Severity[];
  readonly needsSubscription = false;
  /** One connection pool for every delivery, with the timeouts on it (the same lean undici the probes use). */
  private readonly dispatcher: Dispatcher;
  /** The proxy deliveries go through, credentials removed, for error messages. */
  private readonly proxy: string | undefined;

  constructor(private readonly options: WebhookOptions) {
    this.severities = options.severities ?? SEVERITIES;
    const proxy = selectProxy(new URL(options.url).hostname);
    this.proxy = proxy?.display;
    this.dispatcher = makeDispatcher(proxy, options.timeoutMs ?? 15_000);
  }

  async deliver(request: TicketRequest, signal: AbortSignal): Promise<Ticket> {
    return (await this.find(request.key, signal)) ?? (await this.create(request, signal));
  }

  private async call(method: 'GET' | 'POST', url: string, body: string, key: string, signal: AbortSignal): Promise<{ status: number; json: unknown }> {
    // The path as undici puts it on the request line, which is what the receiver checks.
    const { pathname, search } = new URL(url);
    try {
      const res = await httpRequest(url, {
        method,
        headers: {
          'content-type': 'application/json',
          'idempotency-key': key,
          [SIGNATURE_HEADER]: signRequest(this.options.secret, { method, path: `${pathname}${search}`, idempotencyKey: key, body }),
          'user-agent': `${TOOL.name}/${TOOL.version}`,
        },
        ...(method === 'POST' ? { body } : {}),
        signal,
        dispatcher: this.dispatcher,
      });
      const text = await res.body.text();
      let json: unknown;
      try {
        json = text ? (JSON.parse(text) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      return { status: res.statusCode, json };
    } catch (err) {
      const route = this.proxy ? ` through ${this.proxy}` : '';
      throw new SinkError(`webhook ${method} ${new URL(url).host}${route}: ${err instanceof Error ? err.message : String(err)}`, false, { cause: err });
    }
  }

  async find(key: string, signal: AbortSignal): Promise<Ticket | undefined> {
    const { status, json } = await this.call('GET', `${this.options.url.replace(/\/+$/, '')}/${encodeURIComponent(key)}`, '', key, signal);
    if (status === 200) return this.ticketOf(key, json);
    if (status === 404 || status === 405 || status === 501) return undefined;
    throw new SinkError(`webhook lookup answered ${status}`, !(status >= 500 || TRANSIENT.has(status)));
  }

  private async create(request: TicketRequest, signal: AbortSignal): Promise<Ticket> {
    const body = JSON.stringify({
      idempotencyKey: request.key,
      title: request.title,
      severity: request.severity,
      description: ticketText(request),
      userDescription: request.description,
      contact: request.contact,
      lang: request.lang,
      ...(request.subscriptionId ? { subscriptionId: request.subscriptionId } : {}),
      registry: request.report.registry.loginServer,
      vantage: request.vantage,
      conversation: request.conversation,
      report: request.report,
    });
    const { status, json } = await this.call('POST', this.options.url, body, request.key, signal);
    if (status === 200 || status === 201) return this.ticketOf(request.key, json);
    const reason = (json as { error?: unknown } | undefined)?.error;
    throw new SinkError(`webhook answered ${status}${typeof reason === 'string' ? `: ${reason}` : ''}`, !(status >= 500 || TRANSIENT.has(status)));
  }

  private ticketOf(key: string, json: unknown): Ticket {
    const t = (json ?? {}) as { id?: unknown; url?: unknown; status?: unknown; createdAt?: unknown };
    if (typeof t.id !== 'string' && typeof t.id !== 'number') throw new SinkError('webhook answered without a ticket id', true);
    return {
      key,
      sink: 'webhook',
      id: String(t.id),
      ...(typeof t.url === 'string' && /^https?:\/\//.test(t.url) ? { url: t.url } : {}),
      status: typeof t.status === 'string' ? t.status : 'open',
      createdAt: typeof t.createdAt === 'string' ? t.createdAt : new Date().toISOString(),
    };
  }
}
