export const SQLITE_SYNCHRONOUS_MODES = ['NORMAL', 'FULL'] as const;
/**
 * When SQLite waits for the disk. FULL (the default) syncs the WAL at every commit, so that an
 * acknowledged write survives a power cut or an OS crash, as PostgreSQL's default does. NORMAL, in
 * WAL mode, keeps every committed transaction through a crash of the service and never corrupts
 * the file, but a power cut or an OS crash can lose the last commits: an opt-in for data that can
 * be sent again.
 */
export type SqliteSynchronous = (typeof SQLITE_SYNCHRONOUS_MODES)[number];

/** SQLite, the embedded default: one file, one write connection and a few read-only ones. */
export interface SqliteConfig {
  engine: 'sqlite';
  /** A file path, or `:memory:` for a throwaway in-process database. */
  path: string;
  synchronous: SqliteSynchronous;
  /** How long a statement waits for a lock another program holds on the file before giving up (503). */
  busyTimeoutMs: number;
  /** Read-only connections beside the write connection, for a file; `:memory:` has none. */
  readConnections: number;
}

/** PostgreSQL, for loads beyond one machine: a server, a pool of connections per instance. */
export interface PostgresConfig {
  engine: 'postgres';
  url: string;
  poolSize: number;
  /** PostgreSQL cancels a statement that runs longer (statement_timeout); the request answers 503. 0: no limit. */
  statementTimeoutMs: number;
}

/** Where the data lives, parsed from `DATABASE_URL`. */
export type DatabaseConfig = SqliteConfig | PostgresConfig;

/** The settings that go with a URL, from their own variables. */
export interface DatabaseSettings {
  synchronous: SqliteSynchronous;
  busyTimeoutMs: number;
  poolSize: number;
  readConnections: number;
  statementTimeoutMs: number;
}

export const DEFAULT_DATABASE_SETTINGS: DatabaseSettings = {
  synchronous: 'FULL',
  busyTimeoutMs: 10_000,
  poolSize: 10,
  readConnections: 2,
  statementTimeoutMs: 30_000,
};

/** SQLite's special name for a throwaway database that lives in the connection. */
export const SQLITE_IN_MEMORY = ':memory:';

export const DEFAULT_DATABASE_URL = 'sqlite:tracking.db';

const SQLITE_PREFIX = 'sqlite:';

const ACCEPTED = 'use sqlite:<path>, sqlite::memory: or postgres://user:password@host:port/database';

/**
 * Accepts `sqlite:<path>`, `sqlite://<path>`, `sqlite:///<absolute path>`, `sqlite::memory:`, and
 * `postgres://…` or `postgresql://…` with a host and a database name.
 * Throws an `Error` whose message says what is accepted.
 */
export function parseDatabaseUrl(url: string, settings: DatabaseSettings = DEFAULT_DATABASE_SETTINGS): DatabaseConfig {
  if (url.startsWith(SQLITE_PREFIX)) {
    const rest = url.slice(SQLITE_PREFIX.length);
    const path = rest.startsWith('//') ? rest.slice(2) : rest;
    if (path.length === 0) {
      throw new Error(`'${url}' names no database file; ${ACCEPTED}`);
    }
    const { synchronous, busyTimeoutMs, readConnections } = settings;
    return { engine: 'sqlite', path, synchronous, busyTimeoutMs, readConnections: path === SQLITE_IN_MEMORY ? 0 : readConnections };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const parsed = URL.canParse(url) ? new URL(url) : undefined;
    if (!parsed?.hostname || parsed.pathname.length <= 1) {
      throw new Error(`'${redactPassword(url)}' needs a host and a database name; ${ACCEPTED}`);
    }
    return { engine: 'postgres', url, poolSize: settings.poolSize, statementTimeoutMs: settings.statementTimeoutMs };
  }
  throw new Error(`'${redactPassword(url)}' is not a database URL this service knows; ${ACCEPTED}`);
}

/** Keeps a password in a URL out of error messages and logs. */
export function redactPassword(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
