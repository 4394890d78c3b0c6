interface Waiter {
  bytes: number;
  /** Whether the waiting upload's body is already arriving: such uploads are served first. */
  arriving: () => boolean;
  settle: () => void;
}

/**
 * Room in memory for request bodies, shared by every request of the process: at most
 * `limitBytes` taken at once. Requests that do not fit wait in line, each for a bounded time.
 * When room comes free, the waiters whose bodies are arriving go first, then the others, each
 * group in the order it came; the first of them that does not fit stops the line, so that a big
 * upload is not passed over for ever by small ones.
 */
export class BodyBudget {
  private used = 0;
  private readonly waiters: Waiter[] = [];

  constructor(readonly limitBytes: number) {}

  get usedBytes(): number {
    return this.used;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes `bytes` now if they fit and nobody is waiting for room. */
  tryTake(bytes: number): boolean {
    if (this.waiters.length > 0 || !this.fits(bytes)) return false;
    this.used += bytes;
    return true;
  }

  /**
   * Takes `bytes` as soon as they fit; false when they did not within `waitMs`, or when `signal`
   * aborts the wait first (the client went away).
   */
  take(bytes: number, waitMs: number, arriving: () => boolean, signal?: AbortSignal): Promise<boolean> {
    if (this.tryTake(bytes)) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const leave = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', leave);
        const index = this.waiters.indexOf(waiter);
        if (index < 0) return;
        this.waiters.splice(index, 1);
        resolve(false);
        // The one that left may have stopped the line.
        this.serve();
      };
      const timer = setTimeout(leave, waitMs).unref();
      const waiter: Waiter = {
        bytes,
        arriving,
        settle: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', leave);
          resolve(true);
        },
      };
      this.waiters.push(waiter);
      signal?.addEventListener('abort', leave);
    });
  }

  give(bytes: number): void {
    this.used -= bytes;
    this.serve();
  }

  /** Lets in the waiters that fit now; call it too when a waiter's body starts arriving. */
  serve(): void {
    for (;;) {
      const next = this.waiters.find((waiter) => waiter.arriving()) ?? this.waiters[0];
      if (!next || !this.fits(next.bytes)) return;
      this.waiters.splice(this.waiters.indexOf(next), 1);
      this.used += next.bytes;
      next.settle();
    }
  }

  private fits(bytes: number): boolean {
    return this.used + bytes <= this.limitBytes;
  }
}
