import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { Client } from 'pg';
import { AbstractLogger, DataSource, LogLevel, LogMessage } from 'typeorm';

import { MIGRATIONS } from '../../src/app/database/migrations';
import { ENTITIES } from '../../src/app/entities';
import { DatabaseConfig, parseDatabaseUrl } from '../../src/core/config/database-url';
import { buildDataSourceOptions, buildReadConnectionOptions, initializeDataSource } from '../../src/core/database/data-source-options';
import { SqliteReadConnections } from '../../src/core/database/sqlite-read-connections';
import { TransactionContext } from '../../src/core/database/transaction-context';
import { TypeOrmUnitOfWork } from '../../src/core/database/typeorm-unit-of-work';

export type TestDatabaseKind = 'sqlite::memory:' | 'sqlite-file' | 'postgres';

/**
 * The engines every repository test runs on: in-memory SQLite, PostgreSQL on the server
 * TEST_DATABASE_URL names (`.ci/run` starts one; CI never skips it), and a real SQLite file (WAL).
 * In this order for the mutation run, which stops a mutant's run at its first failing test: a
 * statement written for one engine fails on the first suite of that engine, with one suite before
 * it at most; the SQLite file's suite, whose statements in-memory SQLite has run already, comes last.
 */
export const TEST_DATABASES: readonly TestDatabaseKind[] = ['sqlite::memory:', 'postgres', 'sqlite-file'];

/** The engines a second connection or a second process can share: the SQLite file and PostgreSQL. */
export const SHARED_DATABASES: readonly TestDatabaseKind[] = TEST_DATABASES.filter((kind) => kind !== 'sqlite::memory:');

/** Added to the name of a PostgreSQL suite that is skipped, so that the report says why. */
export const NEEDS_POSTGRES = '(skipped: needs TEST_DATABASE_URL)';

const postgresConfigured = () => Boolean(process.env.TEST_DATABASE_URL);

/**
 * `describe.each(kinds)(title, suite)`, except that without TEST_DATABASE_URL the PostgreSQL suite
 * is declared skipped rather than left out: jest counts its tests as skipped, under a name saying why.
 */
export function describeEachDatabase(kinds: readonly TestDatabaseKind[], title: string, suite: (kind: TestDatabaseKind) => void): void {
  for (const kind of kinds) {
    const name = title.replace('%s', kind);
    if (kind === 'postgres') describeOnPostgres(name, () => suite(kind));
    else describe(name, () => suite(kind));
  }
}

/** A suite for PostgreSQL only: skipped, and named so, without TEST_DATABASE_URL. */
export function describeOnPostgres(title: string, suite: () => void): void {
  if (postgresConfigured()) describe(title, suite);
  else describe.skip(`${title} ${NEEDS_POSTGRES}`, suite);
}

export interface TestDatabase {
  kind: TestDatabaseKind;
  config: DatabaseConfig;
  dataSource: DataSource;
  context: TransactionContext;
  /** The read-only connections of a SQLite file, as the service opens them; null on the other kinds. */
  readers: SqliteReadConnections | null;
  unitOfWork: TypeOrmUnitOfWork;
  /** Every SQL statement run so far, to count statements. */
  queries: string[];
  /** The same statements with the parameters they were run with, to EXPLAIN one exactly as it ran. */
  statements: RecordedStatement[];
  /** Runs raw SQL outside the code under test, to arrange rows or to check what was stored; `?` placeholders on every engine. */
  sql<T = Record<string, unknown>>(query: string, parameters?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/**
 * Opens a fresh, migrated database the way the service opens it: `sqlite-file` in a new
 * temporary folder, `postgres` as a new database on the TEST_DATABASE_URL server. `close()`
 * removes it again.
 */
export async function openTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  const { url, remove } = await createDatabase(kind);
  const recorder = new QueryRecorder();
  const config = parseDatabaseUrl(url);
  const dataSource = await initializeDataSource(
    buildDataSourceOptions(config, { migrations: MIGRATIONS, entities: ENTITIES, logger: recorder }),
    config,
  );
  const readers =
    config.engine === 'sqlite' && config.readConnections > 0
      ? await SqliteReadConnections.open(
          buildReadConnectionOptions(config, { entities: ENTITIES, logger: recorder }),
          config.readConnections,
        )
      : null;
  const context = new TransactionContext();
  return {
    kind,
    config,
    dataSource,
    context,
    readers,
    unitOfWork: new TypeOrmUnitOfWork(dataSource, context, readers),
    queries: recorder.queries,
    statements: recorder.statements,
    sql: (query, parameters) => dataSource.query(config.engine === 'postgres' ? numberedPlaceholders(query) : query, parameters),
    close: async () => {
      await readers?.onApplicationShutdown();
      await dataSource.destroy();
      await remove();
    },
  };
}

/** A new empty database of the kind (on PostgreSQL, on `server`), and how to remove it. */
export async function createDatabase(
  kind: TestDatabaseKind,
  server = process.env.TEST_DATABASE_URL!,
): Promise<{ url: string; remove: () => Promise<void> }> {
  if (kind === 'sqlite::memory:') {
    return { url: kind, remove: async () => undefined };
  }
  if (kind === 'sqlite-file') {
    const folder = mkdtempSync(join(tmpdir(), 'tracking-db-'));
    return { url: `sqlite:${join(folder, 'tracking.db')}`, remove: async () => rmSync(folder, { recursive: true, force: true }) };
  }
  const name = `tracking_test_${randomBytes(6).toString('hex')}`;
  await withServer(server, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  return { url: url.toString(), remove: () => withServer(server, (client) => client.query(`DROP DATABASE ${name} WITH (FORCE)`)) };
}

async function withServer(url: string, work: (client: Client) => Promise<unknown>): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** `?, ?` → `$1, $2`: the tests' SQL has no question marks of its own. */
function numberedPlaceholders(query: string): string {
  let index = 0;
  return query.replace(/\?/g, () => `$${++index}`);
}

/** A stored time as a Date: SQLite hands back UTC text, PostgreSQL a Date already. */
export function storedTime(value: unknown): Date {
  return value instanceof Date ? value : new Date(`${String(value).replace(' ', 'T')}Z`);
}

/** A stored JSON value: SQLite hands back the text, PostgreSQL's driver parses it. */
export function storedJson(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

export interface RecordedStatement {
  query: string;
  parameters: unknown[];
}

/** A TypeORM logger that prints nothing and remembers the queries. */
class QueryRecorder extends AbstractLogger {
  readonly queries: string[] = [];
  readonly statements: RecordedStatement[] = [];

  override logQuery(query: string, parameters: unknown[] = []): void {
    this.queries.push(query);
    this.statements.push({ query, parameters });
  }

  protected writeLog(_level: LogLevel, _message: LogMessage | LogMessage[]): void {}
}
