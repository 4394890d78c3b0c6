/** Where the cache reads the time; tests pass a clock they move themselves. */
export interface Clock {
  now(): number;
}

export interface CoalescingCacheOptions {
  /** A value stays fresh at least this long after it was loaded. */
  minFreshMs: number;
  /**
   * …and at least this many times as long as loading it took, so that an expensive value (the
   * summary of a big batch) takes at most 1 / (1 + costFactor) of the time of one connection,
   * however many ask for it.
   */
  costFactor: number;
  /** The oldest entries go beyond this many keys. */
  maxEntries: number;
}

interface Entry<T> {
  value: Promise<T>;
  /** Infinity while loading: every caller then shares the load in flight. */
  freshUntil: number;
}

/**
 * Values by key, loaded at most once at a time per key and kept for a short freshness window:
 * callers that ask while a load is running share it, and callers within the window get its
 * result. A failed load is shared by those who waited for it, never kept.
 */
export class CoalescingCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly options: CoalescingCacheOptions,
    private readonly clock: Clock = Date,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const cached = this.entries.get(key);
    if (cached && this.clock.now() < cached.freshUntil) return cached.value;
    const started = this.clock.now();
    const entry: Entry<T> = { value: load(), freshUntil: Infinity };
    // Re-inserted, so that Map order is the order of last loads and the oldest go first.
    this.entries.delete(key);
    this.entries.set(key, entry);
    this.evictBeyond(this.options.maxEntries);
    entry.value.then(
      () => {
        const finished = this.clock.now();
        entry.freshUntil = finished + Math.max(this.options.minFreshMs, this.options.costFactor * (finished - started));
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    return entry.value;
  }

  get size(): number {
    return this.entries.size;
  }

  private evictBeyond(maxEntries: number): void {
    for (const key of this.entries.keys()) {
      if (this.entries.size <= maxEntries) return;
      this.entries.delete(key);
    }
  }
}
