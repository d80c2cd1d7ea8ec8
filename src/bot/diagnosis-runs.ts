/**
 * Diagnoses in flight, one per conversation and registry: a second request for the same registry
 * while one runs shares it (and its progress) instead of starting another.
 */
import type { ProgressEvent } from '../probes/evidence.js';
import type { Report } from '../report/types.js';

export type ProgressWatcher = (event: ProgressEvent) => void;

interface Run {
  report: Promise<Report>;
  watchers: Set<ProgressWatcher>;
}

export class DiagnosisRuns {
  private readonly runs = new Map<string, Run>();

  /** Starts the run for `key`, or joins the one under way; `watch` sees its progress from now on. */
  join(key: string, start: (onProgress: ProgressWatcher) => Promise<Report>, watch: ProgressWatcher): { report: Promise<Report>; shared: boolean } {
    const existing = this.runs.get(key);
    if (existing) {
      existing.watchers.add(watch);
      return { report: existing.report, shared: true };
    }
    const watchers = new Set<ProgressWatcher>([watch]);
    const report = start((event) => watchers.forEach((w) => w(event))).finally(() => this.runs.delete(key));
    this.runs.set(key, { report, watchers });
    return { report, shared: false };
  }

  get size(): number {
    return this.runs.size;
  }
}
