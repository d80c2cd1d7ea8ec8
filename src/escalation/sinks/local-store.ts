/**
 * The default sink, so the bot works offline: tickets as JSON files in a directory, one per key,
 * created atomically (a second delivery of the same key finds the first). `npm run tickets` lists them.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import { createJsonExclusive, readJson, readJsonDir } from '../json-files.js';
import { isTicketKey, SEVERITIES, type Ticket, type TicketRequest, type TicketSink } from '../ticket.js';
import { ticketText } from '../ticket-text.js';

export interface StoredTicket extends Ticket {
  title: string;
  severity: TicketRequest['severity'];
  registry: string;
  text: string;
  request: TicketRequest;
}

export class LocalTicketStore implements TicketSink {
  readonly kind = 'local';
  readonly severities = SEVERITIES;
  readonly needsSubscription = false;

  constructor(readonly dir: string) {}

  private file(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }

  async deliver(request: TicketRequest): Promise<Ticket> {
    const existing = await readJson<StoredTicket>(this.file(request.key));
    if (existing) return ticketOf(existing);
    const createdAt = new Date().toISOString();
    const id = `ACR-${createdAt.slice(0, 10).replaceAll('-', '')}-${createHash('sha256').update(request.key).digest('hex').slice(0, 6).toUpperCase()}`;
    const stored: StoredTicket = {
      key: request.key,
      sink: 'local',
      id,
      status: 'open',
      createdAt,
      title: request.title,
      severity: request.severity,
      registry: request.report.registry.loginServer,
      text: ticketText(request),
      request,
    };
    if (await createJsonExclusive(this.file(request.key), stored)) return ticketOf(stored);
    // Another process created it between the look and the write: that one is the ticket.
    return ticketOf((await readJson<StoredTicket>(this.file(request.key)))!);
  }

  async find(key: string): Promise<Ticket | undefined> {
    if (!isTicketKey(key)) return undefined;
    const stored = await readJson<StoredTicket>(this.file(key));
    return stored ? ticketOf(stored) : undefined;
  }

  /** Every ticket, newest first. */
  async list(): Promise<StoredTicket[]> {
    return (await readJsonDir<StoredTicket>(this.dir)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

const ticketOf = (stored: StoredTicket): Ticket => ({ key: stored.key, sink: 'local', id: stored.id, status: stored.status, createdAt: stored.createdAt });
