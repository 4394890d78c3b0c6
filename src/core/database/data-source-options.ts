import * as sqlite3 from 'sqlite3';
import { DataSource, DataSourceOptions, Logger, MigrationExecutor } from 'typeorm';
import { SqliteConnectionOptions } from 'typeorm/driver/sqlite/SqliteConnectionOptions';

import { DatabaseConfig, SQLITE_IN_MEMORY, SqliteConfig } from '../config/database-url';
import { sqliteDriver } from './sqlite-driver';

/** Statements slower than this are logged as warnings; a 5000-document upsert takes a few tens of ms. */
const SLOW_QUERY_MS = 1_000;
/** A PostgreSQL that does not accept a connection within this answers 503 instead of holding the request. */
const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
/** Any fixed number: instances starting together on one PostgreSQL take turns at migrating. */
export const MIGRATION_LOCK = 7_000_001;

/** What the connection knows besides its database: the schema's migrations, the entities it maps, and where it logs. */
export interface DataSourceExtras {
  /**
   * The service's schema, in order, run by `initializeDataSource`. None on a connection that only
   * reads or looks at a database as it is.
   */
  migrations?: DataSourceOptions['migrations'];
  /**
   * The features' entities. The service's modules register their own (`TypeOrmModule.forFeature`,
   * loaded by `autoLoadEntities`); code that opens a database by itself passes them here.
   */
  entities?: DataSourceOptions['entities'];
  logger?: Logger;
}

/**
 * The schema comes from migrations run at start-up (`initializeDataSource`), never from
 * `synchronize`, so that an existing database is upgraded step by step instead of being altered
 * by guesswork. TypeORM's SQLite driver turns `PRAGMA foreign_keys = ON` on for its connection by
 * itself; the repository tests check that it did, because the cascade depends on it.
 */
export function buildDataSourceOptions(
  database: DatabaseConfig,
  { migrations = [], entities = [], logger }: DataSourceExtras = {},
): DataSourceOptions {
  const common = {
    entities,
    migrations,
    migrationsRun: false,
    synchronize: false,
    maxQueryExecutionTime: SLOW_QUERY_MS,
    logger,
  } as const;
  if (database.engine === 'postgres') {
    // Sessions in UTC: stored instants do not depend on it, but any time rendered as text does.
    return {
      ...common,
      type: 'postgres',
      url: database.url,
      connectTimeoutMS: POSTGRES_CONNECT_TIMEOUT_MS,
      // statement_timeout is the server's own limit: it cancels the statement and frees the connection.
      extra: { max: database.poolSize, options: '-c timezone=UTC', statement_timeout: database.statementTimeoutMs },
    };
  }
  return {
    ...common,
    type: 'sqlite',
    database: database.path,
    driver: sqliteDriver,
    // WAL lets readers in other processes (backups, sqlite3 CLI) work while we write.
    enableWAL: database.path !== SQLITE_IN_MEMORY,
    busyTimeout: database.busyTimeoutMs,
  };
}

/**
 * A read-only connection to the same SQLite file (opened after the write connection has migrated
 * it). SQLite refuses any write on it. It leaves the journal mode to the write connection, and
 * waits out a lock (a checkpoint, another program's recovery) like the write connection does.
 */
export function buildReadConnectionOptions(database: SqliteConfig, extras: DataSourceExtras = {}): DataSourceOptions {
  const { enableWAL: _writeConnectionsBusiness, ...options } = buildDataSourceOptions(database, extras) as SqliteConnectionOptions;
  return { ...options, flags: sqlite3.OPEN_READONLY };
}

/** Opens the database the way the service uses it: migrated, with the connection's settings made. */
export async function initializeDataSource(options: DataSourceOptions, database: DatabaseConfig): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  try {
    if (database.engine === 'sqlite') {
      // TypeORM's SQLite driver keeps one connection, so a connection PRAGMA set once holds for good.
      await dataSource.query(`PRAGMA synchronous = ${database.synchronous}`);
      await dataSource.runMigrations({ transaction: 'each' });
    } else {
      await migrateUnderLock(dataSource);
    }
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return dataSource;
}

/**
 * Several instances may start at once on one PostgreSQL: one migrates, the others wait, then find
 * nothing to do. The migrations run on the connection that holds the lock, so that a pool of one
 * connection cannot wait for itself. Neither the wait nor a migration is cut off by
 * DATABASE_STATEMENT_TIMEOUT_MS, which is for requests: an index built on a big table takes
 * minutes, and a start cancelled half-way would only start the build again. The connection goes
 * back to the pool with the timeout of its start (RESET).
 */
async function migrateUnderLock(dataSource: DataSource): Promise<void> {
  const connection = dataSource.createQueryRunner();
  try {
    await connection.query('SET statement_timeout = 0');
    await connection.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const executor = new MigrationExecutor(dataSource, connection);
    executor.transaction = 'each';
    await executor.executePendingMigrations();
  } finally {
    await connection.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await connection.query('RESET statement_timeout').catch(() => undefined);
    await connection.release();
  }
}
