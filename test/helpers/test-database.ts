import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl } from '../../src/core/config/database-url';
import { buildDataSourceOptions } from '../../src/core/database/data-source-options';
import { TransactionContext } from '../../src/core/database/transaction-context';
import { TypeOrmUnitOfWork } from '../../src/core/database/typeorm-unit-of-work';

export interface TestDatabase {
  dataSource: DataSource;
  context: TransactionContext;
  unitOfWork: TypeOrmUnitOfWork;
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
  const dataSource = await new DataSource(buildDataSourceOptions(parseDatabaseUrl(url))).initialize();
  const context = new TransactionContext();
  return {
    dataSource,
    context,
    unitOfWork: new TypeOrmUnitOfWork(dataSource, context),
    sql: (query, parameters) => dataSource.query(query, parameters),
    close: async () => {
      await dataSource.destroy();
      if (folder) rmSync(folder, { recursive: true, force: true });
    },
  };
}
