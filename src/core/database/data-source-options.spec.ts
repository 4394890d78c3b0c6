import * as sqlite3 from 'sqlite3';
import { AbstractLogger } from 'typeorm';

import { PostgresConfig, SqliteConfig } from '../config/database-url';
import { buildDataSourceOptions, buildReadConnectionOptions, MIGRATIONS } from './data-source-options';
import { InitialSchema1732000000000 } from './migrations/1732000000000-initial-schema';
import { DocumentTrackingIndex1764100000000 } from './migrations/1764100000000-document-tracking-index';
import { sqliteDriver } from './sqlite-driver';

const SQLITE_FILE: SqliteConfig = { engine: 'sqlite', path: 'tracking.db', synchronous: 'FULL', busyTimeoutMs: 10_000, readConnections: 2 };
const POSTGRES: PostgresConfig = {
  engine: 'postgres',
  url: 'postgres://tracking:secret@db.example:5432/tracking',
  poolSize: 10,
  statementTimeoutMs: 30_000,
};

/** What every connection shares: the schema from migrations only, and slow statements logged. */
const COMMON = {
  entities: [],
  migrations: MIGRATIONS,
  migrationsRun: false,
  synchronize: false,
  maxQueryExecutionTime: 1_000,
  logger: undefined,
};

// The repository and migration specs open real databases with these options; this spec pins the
// settings those cannot see (a timeout, a pool size, a flag), and fails fast when one changes.
describe('buildDataSourceOptions', () => {
  it('runs the migrations in their order', () => {
    expect(MIGRATIONS).toEqual([InitialSchema1732000000000, DocumentTrackingIndex1764100000000]);
  });

  it('opens a SQLite file with WAL, through our driver, waiting out a lock for the busy timeout', () => {
    expect(buildDataSourceOptions(SQLITE_FILE)).toEqual({
      ...COMMON,
      type: 'sqlite',
      database: 'tracking.db',
      driver: sqliteDriver,
      enableWAL: true,
      busyTimeout: 10_000,
    });
  });

  it('leaves the journal of an in-memory SQLite database alone', () => {
    expect(buildDataSourceOptions({ ...SQLITE_FILE, path: ':memory:' })).toMatchObject({ database: ':memory:', enableWAL: false });
  });

  it('opens PostgreSQL with a pool, a connect timeout, UTC sessions and the statement timeout', () => {
    expect(buildDataSourceOptions(POSTGRES)).toEqual({
      ...COMMON,
      type: 'postgres',
      url: POSTGRES.url,
      connectTimeoutMS: 5_000,
      extra: { max: 10, options: '-c timezone=UTC', statement_timeout: 30_000 },
    });
  });

  it('maps the entities and logs through the logger it is given', () => {
    class Entity {}
    class QuietLogger extends AbstractLogger {
      protected writeLog(): void {}
    }
    const logger = new QuietLogger();

    expect(buildDataSourceOptions(POSTGRES, { entities: [Entity], logger })).toMatchObject({ entities: [Entity], logger });
  });
});

describe('buildReadConnectionOptions', () => {
  it('opens the same file read-only, leaving the journal mode to the write connection', () => {
    const options = buildReadConnectionOptions(SQLITE_FILE);

    expect(options).toEqual({
      ...COMMON,
      type: 'sqlite',
      database: 'tracking.db',
      driver: sqliteDriver,
      busyTimeout: 10_000,
      flags: sqlite3.OPEN_READONLY,
    });
    expect(options).not.toHaveProperty('enableWAL');
  });
});
