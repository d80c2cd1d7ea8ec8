/** Evidence: what one probe saw, before it is rendered into a report check; and where a run stands. */
import type { CheckStatus, JsonObject } from '../report/types.js';
import type { OutcomeCode } from './outcomes.js';

export interface Outcome {
  status: CheckStatus;
  /** Stable code, e.g. `tcp.refused`, from the table of outcomes; the key of its text in i18n `outcomes`. */
  outcome: OutcomeCode;
  data: JsonObject;
  error?: { code: string; message: string };
}

/** What a check saw. Its outcome is a string: evidence also comes back from reports (an upload, another version). */
export interface Evidence extends Omit<Outcome, 'outcome'> {
  outcome: string;
  id: string;
  /** i18n key of the check's title, under `checks`. */
  kind: string;
  durationMs: number;
}

/** A check by id and kind (the i18n key of its title, under `checks`), before it has evidence. */
export interface CheckRef {
  id: string;
  kind: string;
  /** What its title needs (the host, address or server), as far as it is known. */
  data: JsonObject;
}

/** Where the run stands: every check planned so far, those running, those done. */
export interface ProgressSnapshot {
  planned: CheckRef[];
  running: CheckRef[];
  done: Evidence[];
}

export type ProgressEvent = { type: 'start' | 'end'; id: string; kind: string; evidence?: Evidence; progress: ProgressSnapshot };
export type ProgressListener = (event: ProgressEvent) => void;
