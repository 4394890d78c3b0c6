import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AbstractLogger, DataSource, LogLevel, LogMessage } from 'typeorm';
import { parseDatabaseUrl } from '../../src/core/config/database-url';
import { buildDataSourceOptions, initializeDataSource } from '../../src/core/database/data-source-options';
import { TransactionContext } from '../../src/core/database/transaction-context';
import { TypeOrmUnitOfWork } from '../../src/core/database/typeorm-unit-of-work';

export interface TestDatabase {
  dataSource: DataSource;
  context: TransactionContext;
  unitOfWork: TypeOrmUnitOfWork;
  /** Every SQL statement run so far, to count statements. */
  queries: string[];
  /** Runs raw SQL outside the code under test, to arrange rows or to check what was stored. */
  sql<T = Record<string, unknown>>(query: string, parameters?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** The engines every repository test runs on: in-memory SQLite and a real SQLite file (WAL). */
export const TEST_DATABASES = ['sqlite::memory:', 'sqlite-file'] as const;

/**
 * Opens a fresh, migrated database the way the service opens it. `sqlite-file` is a file in
 * a new temporary folder, removed again by `close()`.
 */
export async function openTestDatabase(kind: (typeof TEST_DATABASES)[number]): Promise<TestDatabase> {
  const folder = kind === 'sqlite-file' ? mkdtempSync(join(tmpdir(), 'tracking-db-')) : undefined;
  const url = folder ? `sqlite:${join(folder, 'tracking.db')}` : kind;
  const recorder = new QueryRecorder();
  const database = parseDatabaseUrl(url);
  const dataSource = await initializeDataSource(buildDataSourceOptions(database, recorder), database.synchronous);
  const context = new TransactionContext();
  return {
    dataSource,
    queries: recorder.queries,
    context,
    unitOfWork: new TypeOrmUnitOfWork(dataSource, context),
    sql: (query, parameters) => dataSource.query(query, parameters),
    close: async () => {
      await dataSource.destroy();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** A TypeORM logger that prints nothing and remembers the queries. */
class QueryRecorder extends AbstractLogger {
  readonly queries: string[] = [];

  override logQuery(query: string): void {
    this.queries.push(query);
  }

  protected writeLog(_level: LogLevel, _message: LogMessage | LogMessage[]): void {}
}
