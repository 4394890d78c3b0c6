/**
 * Runs tasks one after another, in the order they were queued, whatever each task's outcome.
 * TypeORM's SQLite driver shares one connection between all callers, so two transactions that
 * overlap fail with "cannot start a transaction within a transaction" (typeorm#1884, #8668).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private queued = 0;

  /**
   * `waited` hears how long each task waited for its turn, in seconds, as told by `clock`
   * (monotonic seconds; tests pass their own so that no assertion depends on the machine's speed).
   */
  constructor(
    private readonly waited?: (seconds: number) => void,
    private readonly clock: () => number = () => performance.now() / 1000,
  ) {}

  /** Tasks queued or running. */
  get depth(): number {
    return this.queued;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    const queuedAt = this.clock();
    this.queued += 1;
    const result = this.tail
      .then(() => {
        this.waited?.(this.clock() - queuedAt);
        return task();
      })
      .finally(() => (this.queued -= 1));
    // The next task waits for this one to settle, not to succeed.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
