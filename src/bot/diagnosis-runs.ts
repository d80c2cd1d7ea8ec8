/**
 * Diagnoses in flight, one per conversation and registry: a second request for the same registry
 * while one runs shares it (and its progress) instead of starting another.
 */
import type { ProgressEvent } from '../engine/probes/evidence.js';
import type { Report } from '../engine/report/types.js';

export type ProgressWatcher = (event: ProgressEvent) => void;

interface Run {
  report: Promise<Report>;
  watchers: Set<ProgressWatcher>;
  /** The last event, so that whoever joins sees where the run stands at once. */
  seen: { last?: ProgressEvent };
}

export class DiagnosisRuns {
  private readonly runs = new Map<string, Run>();

  /** Starts the run for `key`, or joins the one under way; `watch` sees its progress from now on. */
  join(key: string, start: (onProgress: ProgressWatcher) => Promise<Report>, watch: ProgressWatcher): { report: Promise<Report>; shared: boolean } {
    const existing = this.runs.get(key);
    if (existing) {
      existing.watchers.add(watch);
      if (existing.seen.last) watch(existing.seen.last);
      return { report: existing.report, shared: true };
    }
    const watchers = new Set<ProgressWatcher>([watch]);
    // The engine's first events (its plan) come before `start` returns.
    const seen: Run['seen'] = {};
    const report = start((event) => {
      seen.last = event;
      watchers.forEach((w) => w(event));
    }).finally(() => this.runs.delete(key));
    this.runs.set(key, { report, watchers, seen });
    return { report, shared: false };
  }

  get size(): number {
    return this.runs.size;
  }

  /** Runs whose key starts with `prefix` (a conversation's, as `conversation|`). */
  countStartingWith(prefix: string): number {
    let count = 0;
    for (const key of this.runs.keys()) if (key.startsWith(prefix)) count++;
    return count;
  }

  has(key: string): boolean {
    return this.runs.has(key);
  }
}
