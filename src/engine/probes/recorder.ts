/** The recorder: the checks a run plans, starts and finishes, each finished one's evidence, and the progress it tells. */
import type { CheckRef, Evidence, Outcome, ProgressEvent, ProgressListener, ProgressSnapshot } from './evidence.js';
import type { JsonObject } from '../report/types.js';
import { errorInfo } from '../net/errors.js';
import type { OutcomeCode } from './outcomes.js';

export class Recorder {
  readonly evidence: Evidence[] = [];
  private readonly planned = new Map<string, CheckRef>();
  private readonly running = new Map<string, CheckRef>();
  constructor(private readonly onProgress?: ProgressListener) {}

  /**
   * Announces a check before it runs, so progress counts it from the start. A check whose id is
   * its kind (`tcp`, `data`) stands for checks whose ids are not known yet: the first of that kind
   * to start or to be skipped takes its place.
   */
  plan(id: string, kind: string, data: JsonObject = {}): void {
    if (this.planned.has(id) || this.running.has(id) || this.evidence.some((e) => e.id === id)) return;
    // Told with the next start or end, not on its own: a front would otherwise draw the total growing one by one.
    this.planned.set(id, { id, kind, data });
  }

  /** Drops what was planned and will not run (a placeholder of a kind that turned out to have no checks). */
  unplan(id: string): void {
    this.planned.delete(id);
  }

  private claim(id: string, kind: string): void {
    if (!this.planned.delete(id)) this.planned.delete(kind);
  }

  private emit(type: ProgressEvent['type'], id: string, kind: string, evidence?: Evidence): void {
    if (!this.onProgress) return;
    const progress: ProgressSnapshot = { planned: [...this.planned.values()], running: [...this.running.values()], done: [...this.evidence] };
    this.onProgress({ type, id, kind, progress, ...(evidence ? { evidence } : {}) });
  }

  /** Runs one probe, times it and records what it saw. A throw is recorded as an internal error, not rethrown. */
  async run(id: string, kind: string, data: JsonObject, probe: () => Promise<Outcome>): Promise<Evidence> {
    this.claim(id, kind);
    this.running.set(id, { id, kind, data });
    this.emit('start', id, kind);
    const started = performance.now();
    let outcome: Outcome;
    try {
      outcome = await probe();
    } catch (err) {
      outcome = { status: 'fail', outcome: 'probe.internal', data: {}, error: errorInfo(err) };
    }
    const evidence: Evidence = {
      id,
      kind,
      durationMs: Math.round(performance.now() - started),
      ...outcome,
      data: { ...data, ...outcome.data },
    };
    this.running.delete(id);
    this.evidence.push(evidence);
    this.emit('end', id, kind, evidence);
    return evidence;
  }

  skip(id: string, kind: string, data: JsonObject, reason: OutcomeCode, reasonData: JsonObject = {}): Evidence {
    const evidence: Evidence = { id, kind, durationMs: 0, status: 'skip', outcome: reason, data: { ...data, ...reasonData } };
    this.claim(id, kind);
    this.evidence.push(evidence);
    this.emit('end', id, kind, evidence);
    return evidence;
  }
}
