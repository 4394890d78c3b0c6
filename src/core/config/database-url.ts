/** Where the data lives, parsed from `DATABASE_URL`. PostgreSQL joins `engine` later. */
export interface DatabaseConfig {
  engine: 'sqlite';
  /** A file path, or `:memory:` for a throwaway in-process database. */
  path: string;
}

export const DEFAULT_DATABASE_URL = 'sqlite:tracking.db';

const SQLITE_PREFIX = 'sqlite:';

/**
 * Accepts `sqlite:<path>`, `sqlite://<path>`, `sqlite:///<absolute path>` and `sqlite::memory:`.
 * Throws an `Error` whose message says what is accepted.
 */
export function parseDatabaseUrl(url: string): DatabaseConfig {
  if (url.startsWith(SQLITE_PREFIX)) {
    const rest = url.slice(SQLITE_PREFIX.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path.length === 0) {
      throw new Error(`'${url}' names no database file; use sqlite:<path> or sqlite::memory:`);
    }
    return { engine: 'sqlite', path };
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
