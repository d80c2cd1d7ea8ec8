/**
 * How many diagnoses the bot runs at once, and how many may wait for a turn: each costs sockets,
 * DNS queries and ARM calls, so a burst of requests (or one user pressing Re-run) cannot make the
 * bot open thousands of connections. Past the waiting line the user is told to try again.
 */
export interface Entry {
  /** Diagnoses waiting before this one (0: it starts now). */
  ahead: number;
  /** Resolves when the diagnosis may run, with the function that frees its place (once). */
  entered: Promise<() => void>;
}

export class DiagnosisSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly maxRunning: number,
    readonly maxWaiting: number,
  ) {}

  /** A place to run, now or after those ahead; undefined when the waiting line is full. */
  enter(): Entry | undefined {
    if (this.running < this.maxRunning) {
      this.running++;
      return { ahead: 0, entered: Promise.resolve(this.release()) };
    }
    if (this.waiting.length >= this.maxWaiting) return undefined;
    const ahead = this.waiting.length + 1;
    return { ahead, entered: new Promise((resolve) => this.waiting.push(() => resolve(this.release()))) };
  }

  /** Frees a place: the next one waiting takes it over, or it falls free. */
  private release(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    };
  }

  get size(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }
}
