import { TestDatabase } from './test-database';

/**
 * PostgreSQL: resolves once a statement of this database whose text holds `statement` waits for
 * a lock, a point in another transaction's work to act on rather than a delay; checks every 20 ms.
 */
export async function untilWaitingForLock(db: TestDatabase, statement: string): Promise<void> {
  const waiting = async () =>
    (
      await db.sql<{ n: number }>(
        `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?`,
        [`%${statement}%`],
      )
    )[0].n > 0;
  while (!(await waiting())) await new Promise((resolve) => setTimeout(resolve, 20));
}
