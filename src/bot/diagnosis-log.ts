/**
 * The last diagnoses of each conversation, kept in the bot's state storage (memory, or Blob Storage
 * shared by every instance), so `escalate` finds the diagnosis to attach wherever the turn lands.
 */
import type { Storage } from 'botbuilder';
import type { Diagnosis, DiagnosisQuery } from '../escalation/diagnosis.js';
import { ticketKey } from '../escalation/ticket.js';

/** Diagnoses kept per conversation and vantage (the bot's own, the uploads); older ones fall off. */
const KEEP = 5;

/** The newest KEEP of each vantage, in order: uploads never push the bot's own diagnoses out. */
function newest(diagnoses: Diagnosis[]): Diagnosis[] {
  const counts = new Map<Diagnosis['vantage'], number>();
  return diagnoses
    .reverse()
    .filter((d) => {
      const seen = (counts.get(d.vantage) ?? 0) + 1;
      counts.set(d.vantage, seen);
      return seen <= KEEP;
    })
    .reverse();
}

interface Entry {
  diagnoses: Diagnosis[];
}

const sameDiagnosis = (a: Diagnosis, b: Diagnosis): boolean => a.vantage === b.vantage && a.report.id === b.report.id;

export class DiagnosisLog {
  /** Writes to one conversation's entry go one after another, so two finishing at once both stay. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(private readonly storage: Storage) {}

  private key(conversationId: string): string {
    return `acr-doctor/diagnoses/${conversationId}`;
  }

  private async read(conversationId: string): Promise<Entry> {
    const key = this.key(conversationId);
    return ((await this.storage.read([key]))[key] as Entry | undefined) ?? { diagnoses: [] };
  }

  add(conversationId: string, diagnosis: Diagnosis): Promise<void> {
    const previous = this.queues.get(conversationId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const entry = await this.read(conversationId);
      // Keyed by vantage and id: a client's report never replaces the bot's own diagnosis.
      const diagnoses = newest([...entry.diagnoses.filter((d) => !sameDiagnosis(d, diagnosis)), diagnosis]);
      await this.storage.write({ [this.key(conversationId)]: { diagnoses, eTag: '*' } });
    });
    const settled = next.catch(() => undefined);
    this.queues.set(conversationId, settled);
    void settled.then(() => this.queues.get(conversationId) === settled && this.queues.delete(conversationId));
    return next;
  }

  /** The diagnosis whose ticket key is `key`, if it is one of this conversation's. */
  async findByTicketKey(conversationId: string, key: string): Promise<Diagnosis | undefined> {
    return (await this.read(conversationId)).diagnoses.find((d) => ticketKey(d.report, d.vantage) === key);
  }

  /** By id (the card's button), else the newest of a registry, else the newest of all; of one vantage when asked. */
  async find(conversationId: string, options: DiagnosisQuery): Promise<Diagnosis | undefined> {
    const newestFirst = [...(await this.read(conversationId)).diagnoses].reverse().filter((d) => !options.vantage || d.vantage === options.vantage);
    if (options.diagnosisId) return newestFirst.find((d) => d.report.id === options.diagnosisId);
    if (options.registry) {
      const wanted = options.registry.toLowerCase();
      return newestFirst.find((d) => d.report.registry.loginServer === wanted || d.report.registry.name === wanted);
    }
    return newestFirst[0];
  }
}
