/** How to wait for room. */
export interface WaitOptions {
  /** Give up after this long. */
  waitMs: number;
  /** Whether the waiting upload's body is arriving (checked as room comes free). */
  arriving?: () => boolean;
  /** A body part of which is in memory already: finishing it frees memory soonest. */
  resuming?: boolean;
  /** Give up when this aborts (the client went away). */
  signal?: AbortSignal;
}

interface Waiter {
  bytes: number;
  options: WaitOptions;
  settle: () => void;
}

/**
 * Room in memory for request bodies, shared by every request of the process: at most
 * `limitBytes` taken at once. Requests that do not fit wait in line, each for a bounded time.
 * When room comes free, bodies that resume go first, then those that are arriving, then the
 * others, each group in the order it came; the first of them that does not fit stops the line,
 * so that a big upload is not passed over for ever by small ones.
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

  /** Takes `bytes` as soon as they fit in line; false when they did not in time, or when the wait was aborted. */
  take(bytes: number, options: WaitOptions): Promise<boolean> {
    const { waitMs, signal } = options;
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
        options,
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
      const next =
        this.waiters.find((waiter) => waiter.options.resuming) ??
        this.waiters.find((waiter) => waiter.options.arriving?.()) ??
        this.waiters[0];
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
