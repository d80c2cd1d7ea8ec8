/** Evidence: what one probe saw, before it is rendered into a report check; and where a run stands. */
import type { CheckStatus, JsonObject } from '../report/types.js';

export interface Outcome {
  status: CheckStatus;
  /** Stable code, e.g. `tcp.refused`; the key of its text in i18n `outcomes`. */
  outcome: string;
  data: JsonObject;
  error?: { code: string; message: string };
}

export interface Evidence extends Outcome {
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
