/**
 * Runs tasks one after another, in the order they were queued, whatever each task's outcome.
 * TypeORM's SQLite driver shares one connection between all callers, so two transactions that
 * overlap fail with "cannot start a transaction within a transaction" (typeorm#1884, #8668).
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    // The next task waits for this one to settle, not to succeed.
    this.tail = result.catch(() => undefined);
    return result;
  }
}
