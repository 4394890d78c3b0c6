import { DataSourceOptions, Logger } from 'typeorm';
import { SmsDocumentEntity } from '../../sms-document/sms-document.entity';
import { SmsTransferEntity } from '../../sms-transfer/sms-transfer.entity';
import { DatabaseConfig } from '../config/database-url';
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
