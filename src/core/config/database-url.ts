export const SQLITE_SYNCHRONOUS_MODES = ['NORMAL', 'FULL'] as const;
/**
 * When SQLite waits for the disk. In WAL mode, NORMAL keeps every committed transaction through a
 * crash of the service and never corrupts the file; only a power cut or an OS crash can lose the
 * last commits. FULL also survives those, at one fsync per commit.
 */
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];

/** Where the data lives, parsed from `DATABASE_URL`. PostgreSQL joins `engine` later. */
export interface DatabaseConfig {
  engine: 'sqlite';
  /** A file path, or `:memory:` for a throwaway in-process database. */
  path: string;
  synchronous: SqliteSynchronous;
}

export const DEFAULT_DATABASE_URL = 'sqlite:tracking.db';

const SQLITE_PREFIX = 'sqlite:';

/**
 * Accepts `sqlite:<path>`, `sqlite://<path>`, `sqlite:///<absolute path>` and `sqlite::memory:`.
 * Throws an `Error` whose message says what is accepted.
 */
export function parseDatabaseUrl(url: string, synchronous: SqliteSynchronous = 'NORMAL'): DatabaseConfig {
  if (url.startsWith(SQLITE_PREFIX)) {
    const rest = url.slice(SQLITE_PREFIX.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path.length === 0) {
      throw new Error(`'${url}' names no database file; use sqlite:<path> or sqlite::memory:`);
    }
    return { engine: 'sqlite', path, synchronous };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    throw new Error(`'${redactPassword(url)}': PostgreSQL is not supported yet; use sqlite:<path>`);
  }
  throw new Error(`'${redactPassword(url)}' is not a database URL this service knows; use sqlite:<path> or sqlite::memory:`);
}

/** Keeps a password in a URL out of error messages and logs. */
function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
