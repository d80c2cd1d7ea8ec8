/**
 * Requests per client in a sliding window (a minute unless told): a flood from one client gets 429, not the bot's time.
 * The clients it remembers are bounded (the least recently seen go first), and each request costs
 * the same however many clients there are.
 */
export class RateLimit {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
    private readonly maxClients = 10_000,
    private readonly windowMs = 60_000,
  ) {}

  /** Undefined when `key` may go on; else the seconds until it may. */
  take(key: string): number | undefined {
    const now = this.now();
    const recent = (this.seen.get(key) ?? []).filter((at) => now - at < this.windowMs);
    // Re-inserted, so the map's order is the order clients were last seen in.
    this.seen.delete(key);
    if (recent.length >= this.perMinute) {
      this.seen.set(key, recent);
      return Math.max(1, Math.ceil((recent[0]! + this.windowMs - now) / 1000));
    }
    recent.push(now);
    this.seen.set(key, recent);
    if (this.seen.size > this.maxClients) this.seen.delete(this.seen.keys().next().value!);
    return undefined;
  }

  get clients(): number {
    return this.seen.size;
  }
}
