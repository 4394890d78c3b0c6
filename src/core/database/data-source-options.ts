import * as sqlite3 from 'sqlite3';
import { DataSource, DataSourceOptions, Logger } from 'typeorm';
import { SmsDocumentEntity } from '../../sms-document/sms-document.entity';
import { SmsTransferEntity } from '../../sms-transfer/sms-transfer.entity';
import { DatabaseConfig, SqliteSynchronous } from '../config/database-url';
import { InitialSchema1732000000000 } from './migrations/1732000000000-initial-schema';

export const ENTITIES = [SmsTransferEntity, SmsDocumentEntity];
export const MIGRATIONS = [InitialSchema1732000000000];

/** How long a statement waits for a lock held by another process before SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 10_000;
/** Statements slower than this are logged as warnings; a 5000-document upsert takes a few tens of ms. */
const SLOW_QUERY_MS = 1_000;

/**
 * The schema comes from migrations run at start-up, never from `synchronize`, so that an
 * existing database is upgraded step by step instead of being altered by guesswork.
 * TypeORM's SQLite driver turns `PRAGMA foreign_keys = ON` on for its connection by itself;
 * the repository tests check that it did, because the cascade depends on it.
 */
export function buildDataSourceOptions(database: DatabaseConfig, logger?: Logger): DataSourceOptions {
  return {
    type: 'sqlite',
    database: database.path,
    // TypeORM calls the driver's verbose(), which wraps every call to record a long stack trace and
    // util.inspect()s its arguments: milliseconds per bulk upsert. Errors are mapped anyway.
    driver: { ...sqlite3, verbose: () => sqlite3 },
    // WAL lets readers in other processes (backups, sqlite3 CLI) work while we write.
    enableWAL: database.path !== ':memory:',
    busyTimeout: SQLITE_BUSY_TIMEOUT_MS,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsRun: true,
    synchronize: false,
    maxQueryExecutionTime: SLOW_QUERY_MS,
    logger,
  };
}

/** Opens the database the way the service uses it: migrated, with the connection's PRAGMAs set. */
export async function initializeDataSource(options: DataSourceOptions, synchronous: SqliteSynchronous): Promise<DataSource> {
  const dataSource = await new DataSource(options).initialize();
  // TypeORM's SQLite driver keeps one connection, so a connection PRAGMA set once holds for good.
  await dataSource.query(`PRAGMA synchronous = ${synchronous}`);
  return dataSource;
}
