// Full syncs and per-key reconciles must not act on the same object at once. A full sync reads
// the whole host, plans it and runs the plan: it needs the host to itself (exclusive). Per-key
// reconciles (events, file changes, retries) may run side by side (shared). Like a read-write
// lock with writer preference: once a full sync waits, new per-key work waits behind it, so a
// stream of events cannot starve the resync.
export class SyncGate {
  #shared = 0;
  #exclusive = false;
  #exclusiveWaiting = 0;
  #wakers: Array<() => void> = [];

  /** Runs `fn` alongside other shared work, never during exclusive work. */
  async shared<T>(fn: () => Promise<T>): Promise<T> {
    while (this.#exclusive || this.#exclusiveWaiting > 0) await this.#wait();
    this.#shared++;
    try {
      return await fn();
    } finally {
      this.#shared--;
      this.#wake();
    }
  }

  /** Runs `fn` alone: waits for shared work in progress, holds back new shared work. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    this.#exclusiveWaiting++;
    try {
      while (this.#exclusive || this.#shared > 0) await this.#wait();
    } finally {
      this.#exclusiveWaiting--;
    }
    this.#exclusive = true;
    try {
      return await fn();
    } finally {
      this.#exclusive = false;
      this.#wake();
    }
  }

  #wait(): Promise<void> {
    return new Promise((resolve) => this.#wakers.push(resolve));
  }

  #wake(): void {
    for (const wake of this.#wakers.splice(0)) wake();
  }
}
