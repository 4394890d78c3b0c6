import { TestDatabase } from './test-database';

/**
 * PostgreSQL: resolves once `waiters` statements (one unless told) of this database whose text
 * holds `statement` wait for a lock, a point in other transactions' work to act on rather than a
 * delay; checks every 20 ms.
 */
export async function untilWaitingForLock(db: TestDatabase, statement: string, waiters = 1): Promise<void> {
  const waiting = async () =>
    (
      await db.sql<{ n: number }>(
        `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?`,
        [`%${statement}%`],
      )
    )[0].n >= waiters;
  while (!(await waiting())) await new Promise((resolve) => setTimeout(resolve, 20));
}
