/** Evidence: what one probe saw, before it is rendered into a report check. */
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

  skip(id: string, kind: string, data: JsonObject, reason: string, reasonData: JsonObject = {}): Evidence {
    const evidence: Evidence = { id, kind, durationMs: 0, status: 'skip', outcome: reason, data: { ...data, ...reasonData } };
    this.claim(id, kind);
    this.evidence.push(evidence);
    this.emit('end', id, kind, evidence);
    return evidence;
  }
}

export function errorInfo(err: unknown): { code: string; message: string } {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return { code: typeof code === 'string' ? code : err.name, message: err.message };
  }
  return { code: 'UNKNOWN', message: String(err) };
}

/** The errno-style code of an error, looking through `cause` chains (undici wraps socket errors). */
export function errorCode(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && !code.startsWith('UND_ERR')) return code;
    current = (current as Error & { cause?: unknown }).cause;
  }
  const top = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  return typeof top === 'string' ? top : err instanceof Error ? err.name : 'UNKNOWN';
}

/**
 * A signal that fires after `ms`, or when `parent` fires, whichever is first. Built on a plain
 * timer held by its controller: on Node 20 a signal from `AbortSignal.any()` over
 * `AbortSignal.timeout()` can lose its timer to garbage collection and never fire.
 */
export function timeoutSignal(ms: number, parent?: AbortSignal): AbortSignal {
  const controller = new AbortController();
  if (parent?.aborted) {
    controller.abort(parent.reason);
    return controller.signal;
  }
  const timer = setTimeout(() => controller.abort(timeoutError()), Math.max(1, Math.round(ms)));
  timer.unref();
  const onParentAbort = (): void => controller.abort(parent?.reason);
  parent?.addEventListener('abort', onParentAbort, { once: true });
  controller.signal.addEventListener(
    'abort',
    () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
    { once: true },
  );
  return controller.signal;
}

/** A signal that fires at the earlier of the run's budget and this probe's own deadline. */
export function deadline(budget: AbortSignal, ms: number): AbortSignal {
  return timeoutSignal(ms, budget);
}

/** Resolves with the promise's value, or rejects with a TimeoutError when the signal fires first. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(timeoutError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(timeoutError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function timeoutError(): Error {
  const err = new Error('deadline reached');
  err.name = 'TimeoutError';
  return err;
}

export function isTimeout(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  return (
    err.name === 'TimeoutError' ||
    err.name === 'AbortError' ||
    code === 'ETIMEDOUT' ||
    code === 'ETIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_ABORTED'
  );
}
