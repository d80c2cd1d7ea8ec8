/** Requests per client address in a sliding minute: a flood from one address gets 429, not the bot's time. */
export class RateLimit {
  private readonly seen = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Undefined when `address` may go on; else the seconds until it may. */
  take(address: string): number | undefined {
    const now = this.now();
    const recent = (this.seen.get(address) ?? []).filter((at) => now - at < 60_000);
    if (recent.length >= this.perMinute) {
      this.seen.set(address, recent);
      return Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000));
    }
    recent.push(now);
    this.seen.set(address, recent);
    // Addresses that went quiet are forgotten, so the map stays as small as the traffic.
    if (this.seen.size > 10_000) for (const [key, times] of this.seen) if (now - times[times.length - 1]! >= 60_000) this.seen.delete(key);
    return undefined;
  }
}
