// A fixed number of slots, taken in arrival order. A free slot is taken at once; otherwise the
// caller waits, and a release hands the slot straight to the first waiter, so only that one
// wakes. The argon2 hasher (several slots, with admission on top) and the SQLite driver (its one
// connection) both queue this way.
export class FifoSlots {
  private taken = 0;
  private readonly queue: Array<() => void> = [];

  constructor(readonly size: number) {}

  get free(): boolean {
    return this.taken < this.size;
  }

  /** How many callers wait for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Takes a free slot now; false when there is none. */
  tryTake(): boolean {
    if (this.taken >= this.size) return false;
    this.taken += 1;
    return true;
  }

  /** Resolves once a slot is the caller's: at once if one is free, else when one is handed over. */
  take(): Promise<void> {
    if (this.tryTake()) return Promise.resolve();
    return new Promise((resolve) => this.queue.push(resolve));
  }

  /** Hands the slot to the first waiter, or frees it. */
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.taken -= 1;
  }
}
