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
  client: string;
  options: WaitOptions;
  settle: () => void;
}

/**
 * Room in memory for request bodies, shared by every request of the process: at most
 * `limitBytes` taken at once, and at most `shareBytes` of it by any one client. Requests that do
 * not fit wait in line, each for a bounded time. When room comes free, bodies that resume go
 * first, then those that are arriving, then the others, each group in the order it came; the
 * first of them that does not fit stops the line, so that a big upload is not passed over for
 * ever by small ones. A waiter kept out by its client's share alone (the budget has room for it)
 * waits for its own client's room and stops no one.
 */
export class BodyBudget {
  private used = 0;
  private readonly usedByClient = new Map<string, number>();
  private readonly waiters: Waiter[] = [];

  constructor(
    readonly limitBytes: number,
    readonly shareBytes = limitBytes,
  ) {}

  get usedBytes(): number {
    return this.used;
  }

  /** The room one client holds. */
  usedBy(client: string): number {
    return this.usedByClient.get(client) ?? 0;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  /** Takes `bytes` for `client` now if they fit and nobody who could go first is waiting for room. */
  tryTake(bytes: number, client: string): boolean {
    if (this.waiters.some((waiter) => !this.keptOutByShare(waiter)) || !this.fits(bytes) || !this.withinShare({ bytes, client }))
      return false;
    this.hold(bytes, client);
    return true;
  }

  /** Takes `bytes` for `client` as soon as they fit in line; false when they did not in time, or when the wait was aborted. */
  take(bytes: number, client: string, options: WaitOptions): Promise<boolean> {
    const { waitMs, signal } = options;
    if (this.tryTake(bytes, client)) return Promise.resolve(true);
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
        client,
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

  give(bytes: number, client: string): void {
    this.hold(-bytes, client);
    this.serve();
  }

  /** Lets in the waiters that fit now; call it too when a waiter's body starts arriving. */
  serve(): void {
    for (;;) {
      const eligible = this.waiters.filter((waiter) => !this.keptOutByShare(waiter));
      const next =
        eligible.find((waiter) => waiter.options.resuming) ?? eligible.find((waiter) => waiter.options.arriving?.()) ?? eligible[0];
      if (!next || !this.fits(next.bytes)) return;
      this.waiters.splice(this.waiters.indexOf(next), 1);
      this.hold(next.bytes, next.client);
      next.settle();
    }
  }

  private hold(bytes: number, client: string): void {
    this.used += bytes;
    const byClient = this.usedBy(client) + bytes;
    if (byClient === 0) this.usedByClient.delete(client);
    else this.usedByClient.set(client, byClient);
  }

  private fits(bytes: number): boolean {
    return this.used + bytes <= this.limitBytes;
  }

  private withinShare({ bytes, client }: Pick<Waiter, 'bytes' | 'client'>): boolean {
    return this.usedBy(client) + bytes <= this.shareBytes;
  }

  /** A waiter that would fit in the budget but not in its client's share. */
  private keptOutByShare(waiter: Waiter): boolean {
    return this.fits(waiter.bytes) && !this.withinShare(waiter);
  }
}
