/** Waiting in the lab for what the real processes do in their own time (a card posted, a log line written). */

/** Resolves once `ready()` holds, polling every 50 ms; after `ms`, rejects with what `failure()` says. */
export async function eventually(ready: () => boolean, failure: () => string, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) throw new Error(failure());
    await new Promise((r) => setTimeout(r, 50));
  }
}
