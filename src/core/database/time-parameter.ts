import { EntityManager } from 'typeorm';

import { DatabaseEngine, engineOf } from './engine';

/**
 * The current time as each engine writes it into a `when`. SQLite: UTC text with milliseconds,
 * `YYYY-MM-DD HH:MM:SS.SSS` (CURRENT_TIMESTAMP has whole seconds only, and a purge right after a
 * change missed it); TypeORM's driver reads it back as UTC. SQLite takes `'now'` once per
 * statement, so every row of a bulk statement gets the same time. PostgreSQL: the transaction's start,
 * in microseconds.
 */
export const NOW: Record<DatabaseEngine, string> = {
  sqlite: `strftime('%Y-%m-%d %H:%M:%f', 'now')`,
  postgres: 'CURRENT_TIMESTAMP',
};

/**
 * A time as each engine compares it with a stored `when`. SQLite compares the texts: the
 * parameter is the same text, `YYYY-MM-DD HH:MM:SS.SSS`. Rows written before the milliseconds hold
 * `YYYY-MM-DD HH:MM:SS`, which sorts before every `.SSS` of its second, so such a row counts as
 * that second's start; a time on a whole second drops its `.000`, so that such a row equals it
 * (as `08:58:37` equals 08:58:37.000) and a row written at that very millisecond sorts after it,
 * not before. PostgreSQL takes the instant.
 */
const TIME_PARAMETER: Record<DatabaseEngine, (time: Date) => unknown> = {
  sqlite: (time) =>
    time
      .toISOString()
      .slice(0, 23)
      .replace('T', ' ')
      .replace(/\.000$/, ''),
  postgres: (time) => time,
};

export function timeParameter(manager: EntityManager, time: Date): unknown {
  return TIME_PARAMETER[engineOf(manager)](time);
}
