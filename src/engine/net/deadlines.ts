/** Deadlines: a run's budget, each probe's own limit, and whether an error was one of them firing. */
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
