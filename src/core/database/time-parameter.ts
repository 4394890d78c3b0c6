import { EntityManager } from 'typeorm';

import { DatabaseEngine, engineOf } from './engine';

/**
 * A time as each engine compares it with a stored `when`. SQLite stores UTC text
 * `YYYY-MM-DD HH:MM:SS`, which compares as text: the parameter must be the same text, or a
 * `…:00.000` would sort after the `…:00` of the same second. PostgreSQL takes the instant.
 */
const TIME_PARAMETER: Record<DatabaseEngine, (time: Date) => unknown> = {
  sqlite: (time) => time.toISOString().slice(0, 19).replace('T', ' '),
  postgres: (time) => time,
};

export function timeParameter(manager: EntityManager, time: Date): unknown {
  return TIME_PARAMETER[engineOf(manager)](time);
}
