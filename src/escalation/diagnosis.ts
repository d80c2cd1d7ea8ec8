/**
 * A diagnosis as the bot keeps it for escalation and the hand-over: its report, where its checks
 * ran, and whose Azure rights read it; and how one is asked for.
 */
import type { Report } from '../engine/report/types.js';
import type { TicketRequest } from './ticket.js';

/** A diagnosis to escalate, and where its checks ran. */
export interface Diagnosis {
  report: Report;
  vantage: TicketRequest['vantage'];
  /** Whose rights Azure was read with (their Entra object id), when it was read as the asker. */
  readBy?: string;
  /** The reader's id in the channel (Teams' 29:… id): whom a shared card's own view is for. */
  readerId?: string;
}

/** Which kept diagnosis: by id, else a registry's newest, else the newest; of one vantage when asked. */
export interface DiagnosisQuery {
  /** The diagnosis the card's Escalate button names. */
  diagnosisId?: string;
  /** `escalate myregistry`: that registry's last diagnosis. */
  registry?: string;
  /** Only diagnoses seen from here (the bot's own, 'bot') or from the failing machine ('client'). */
  vantage?: TicketRequest['vantage'];
}
