/**
 * Exactly one ticket per diagnosis, never silently lost. Every escalation is written to a durable
 * outbox before anything is sent; delivery asks the sink first (see TicketSink), so a double click,
 * a retried turn, a second bot instance or a restart after `kill -9` between send and
 * acknowledgement all end at the same ticket. A failed delivery stays in the outbox and is retried
 * with backoff; the user is told it is pending, and told again when it was created.
 */
import path from 'node:path';
import type { TokenCredential } from '@azure/identity';
import type { Logger } from 'pino';
import { timeoutSignal } from '../engine/net/deadlines.js';
import { createJsonExclusive, readJsonDir, readJsonOrQuarantine, writeJsonAtomic } from './json-files.js';
import { redactDeep } from './redact.js';
import { isTicketKey, SinkError, type SinkKind, type Ticket, type TicketRequest, type TicketSink } from './ticket.js';
import { errorLine } from '../engine/net/error-line.js';

export type EscalationState = 'pending' | 'created' | 'failed';

export interface Escalation<R = unknown> {
  key: string;
  sink: SinkKind;
  state: EscalationState;
  request: TicketRequest;
  /** Where to tell the user about it later (a Bot Framework conversation reference, opaque here). */
  reference: R;
  attempts: number;
  nextAttemptAt?: string;
  lastError?: string;
  ticket?: Ticket;
  createdAt: string;
  updatedAt: string;
}

export interface EscalationsOptions<R> {
  sink: TicketSink;
  /** The outbox directory (durable). */
  dir: string;
  /** Tells the user what became of an escalation they were told was pending. */
  notify: (escalation: Escalation<R>) => Promise<void>;
  logger: Logger;
  /** Backoff: first retry after this, doubling up to `maxDelayMs`. */
  firstDelayMs?: number;
  maxDelayMs?: number;
  /** After this many failed attempts the escalation is marked failed (and the user told). */
  maxAttempts?: number;
  /** One delivery attempt may take this long. */
  attemptTimeoutMs?: number;
  /**
   * A submit answers within this time (Teams drops turns after ~15 s): a delivery still under way
   * then is reported pending, and its outcome told later like a retry's.
   */
  answerWithinMs?: number;
  /**
   * Tickets are filed with the asker's own Azure rights (ARM_ACCESS=user with Azure support): their
   * credential lives in memory only, so a retry after a restart cannot file it and says so.
   */
  asUser?: boolean;
}

export class Escalations<R = unknown> {
  private readonly inFlight = new Map<string, Promise<Escalation<R>>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Escalations whose user was told "pending" and is owed the outcome. */
  private readonly owed = new Set<string>();
  /** The askers' credentials, by escalation, while it is being delivered (never written anywhere). */
  private readonly credentials = new Map<string, () => Promise<TokenCredential>>();
  private stopped = false;

  constructor(private readonly options: EscalationsOptions<R>) {}

  get sink(): TicketSink {
    return this.options.sink;
  }

  private file(key: string): string {
    return path.join(this.options.dir, `${key}.json`);
  }

  /** The escalation for a key, if there is one. */
  find(key: string): Promise<Escalation<R> | undefined> {
    if (!isTicketKey(key)) return Promise.resolve(undefined);
    return readJsonOrQuarantine<Escalation<R>>(this.file(key), this.damaged);
  }

  /**
   * The ticket the sink holds for a key this outbox does not know (another instance filed it);
   * undefined when there is none or the sink cannot say in time.
   */
  async lookup(key: string, subscriptionId?: string): Promise<Ticket | undefined> {
    if (!isTicketKey(key)) return undefined;
    try {
      return await this.options.sink.find(key, timeoutSignal(this.options.attemptTimeoutMs ?? 30_000), subscriptionId);
    } catch (err) {
      this.options.logger.warn({ key, sink: this.options.sink.kind, error: errorLine(err) }, 'could not look the ticket up');
      return undefined;
    }
  }

  list(): Promise<Escalation<R>[]> {
    return readJsonDir<Escalation<R>>(this.options.dir, this.damaged);
  }

  private readonly damaged = (file: string, err: Error): void => {
    this.options.logger.warn({ file, err: err.message }, 'a damaged escalation file was moved to quarantine; `npm run tickets` lists it');
  }

  /**
   * Records the escalation and makes the first delivery attempt. Answers what the user should be
   * told now: created (with the ticket), pending (it will be retried) or failed (with the reason).
   * A second submit of the same key sends nothing and answers the first one's state.
   */
  submit(request: TicketRequest, reference: R, credential?: () => Promise<TokenCredential>): Promise<Escalation<R>> {
    if (credential) this.credentials.set(request.key, credential);
    return this.within(request.key, this.once(request.key, () => this.record(request, reference)));
  }

  /** Work on one key at a time: whoever comes while it runs shares its outcome. */
  private once(key: string, work: () => Promise<Escalation<R>>): Promise<Escalation<R>> {
    const running = this.inFlight.get(key);
    if (running) return running;
    const outcome = work().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, outcome);
    return outcome;
  }

  /** The outcome if it comes in time; else the escalation as pending, its outcome owed to the user. */
  private async within(key: string, outcome: Promise<Escalation<R>>): Promise<Escalation<R>> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), this.options.answerWithinMs ?? 5000)));
    const first = await Promise.race([outcome, late]).finally(() => clearTimeout(timer));
    if (first) return first;
    this.owed.add(key);
    // Read after owing: an outcome written meanwhile is answered now instead of told later.
    const now = (await this.find(key))!;
    if (now.state !== 'pending') this.owed.delete(key);
    return now;
  }

  private async record(request: TicketRequest, reference: R): Promise<Escalation<R>> {
    const now = new Date().toISOString();
    const record: Escalation<R> = { key: request.key, sink: this.options.sink.kind, state: 'pending', request: redactDeep(request), reference, attempts: 0, createdAt: now, updatedAt: now };
    if (!(await createJsonExclusive(this.file(request.key), record))) {
      const existing = (await this.find(request.key))!;
      // A refusal is not a ticket: asked again (the role granted, say), it is tried again.
      if (existing.state !== 'failed') return existing;
      await writeJsonAtomic(this.file(request.key), { ...existing, state: 'pending', reference, updatedAt: now });
    }
    return this.deliver(request.key, false);
  }

  /** Picks up what an earlier run left pending (after a crash or restart). */
  async start(): Promise<number> {
    const pending = (await this.list()).filter((e) => e.state === 'pending');
    for (const e of pending) this.schedule(e.key, 0);
    return pending.length;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(key: string, delayMs: number): void {
    if (this.stopped || this.timers.has(key)) return;
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.once(key, () => this.deliver(key, true)).catch((err: unknown) => this.options.logger.error({ error: errorLine(err), key }, 'escalation retry failed'));
    }, delayMs);
    timer.unref();
    this.timers.set(key, timer);
  }

  private async deliver(key: string, later: boolean): Promise<Escalation<R>> {
    const record = await this.find(key);
    if (!record || record.state !== 'pending') return record!;
    const { logger, sink } = this.options;
    const attempts = record.attempts + 1;
    let next: Escalation<R>;
    try {
      const asker = this.credentials.get(key);
      if (this.options.asUser && !asker) throw new SinkError('filed with your own Azure rights, and the bot restarted since you asked: press Escalate again', true);
      const ticket = await sink.deliver(record.request, timeoutSignal(this.options.attemptTimeoutMs ?? 60_000), asker ? await asker() : undefined);
      next = { ...record, state: 'created', ticket, attempts, updatedAt: new Date().toISOString() };
      delete next.nextAttemptAt;
      delete next.lastError;
      logger.info({ key, sink: sink.kind, ticket: ticket.id, attempts }, 'ticket created');
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const permanent = (err instanceof SinkError && err.permanent) || attempts >= (this.options.maxAttempts ?? 50);
      const delay = Math.min((this.options.firstDelayMs ?? 5_000) * 2 ** (attempts - 1), this.options.maxDelayMs ?? 10 * 60_000);
      next = { ...record, attempts, lastError: reason, updatedAt: new Date().toISOString(), ...(permanent ? { state: 'failed' } : { nextAttemptAt: new Date(Date.now() + delay).toISOString() }) };
      logger.warn({ key, sink: sink.kind, attempts, permanent, err: reason }, permanent ? 'ticket could not be created' : 'ticket pending: delivery will be retried');
      if (!permanent) this.schedule(key, delay);
    }
    if (next.state !== 'pending') this.credentials.delete(key);
    await writeJsonAtomic(this.file(key), next);
    if ((later || this.owed.has(key)) && next.state !== 'pending') {
      this.owed.delete(key);
      await this.options.notify(next).catch((err: unknown) => logger.error({ error: errorLine(err), key }, 'could not tell the user about the ticket'));
    }
    return next;
  }
}
