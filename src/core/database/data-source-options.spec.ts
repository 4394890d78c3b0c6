import * as sqlite3 from 'sqlite3';
import { AbstractLogger, DataSource, MigrationInterface, QueryRunner } from 'typeorm';

import { NOTES_MIGRATIONS } from '../../../test/helpers/notes-schema';
import { createDatabase, describeOnPostgres } from '../../../test/helpers/test-database';
import { parseDatabaseUrl, PostgresConfig, SqliteConfig } from '../config/database-url';
import { buildDataSourceOptions, buildReadConnectionOptions, initializeDataSource, MIGRATION_LOCK } from './data-source-options';
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
  migrations: [],
  migrationsRun: false,
  synchronize: false,
  maxQueryExecutionTime: 1_000,
  logger: undefined,
};

// The repository and migration specs open real databases with these options; this spec pins the
// settings those cannot see (a timeout, a pool size, a flag), and fails fast when one changes.
describe('buildDataSourceOptions', () => {
  it('runs the migrations it is given, in their order', () => {
    class First {}
    class Second {}

    expect(buildDataSourceOptions(SQLITE_FILE, { migrations: [First, Second] })).toMatchObject({ migrations: [First, Second] });
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

// Beside the code that takes the lock (migrateUnderLock), so that a mutation run reaches these
// cases first, not after the migrations' cases on every engine.
describeOnPostgres('initializeDataSource on postgres, between instances', () => {
  let url: string;
  let remove: () => Promise<void>;

  beforeEach(async () => ({ url, remove } = await createDatabase('postgres')));
  afterEach(() => remove());

  /** The advisory locks of this test's database: how many are held, and how many waited for. */
  async function advisoryLocks(dataSource: DataSource): Promise<{ held: number; waiting: number }> {
    const [counts] = await dataSource.query(
      `SELECT CAST(COUNT(*) FILTER (WHERE granted) AS INTEGER) AS held, CAST(COUNT(*) FILTER (WHERE NOT granted) AS INTEGER) AS waiting
       FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    return counts;
  }

  // Instances starting together take turns through an advisory lock; one left held would stop the next start.
  it('releases the migration lock once the schema is up to date', async () => {
    const config = parseDatabaseUrl(url);
    const migrated = await initializeDataSource(buildDataSourceOptions(config, { migrations: NOTES_MIGRATIONS }), config);

    expect(await advisoryLocks(migrated)).toEqual({ held: 0, waiting: 0 });
    await migrated.destroy();
  });

  it('waits for the migration lock while another instance holds it', async () => {
    const config = parseDatabaseUrl(url);
    const other = await new DataSource(buildDataSourceOptions(config)).initialize();
    const holder = other.createQueryRunner();
    await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);

    const migrating = initializeDataSource(buildDataSourceOptions(config, { migrations: NOTES_MIGRATIONS }), config);
    let locks = await advisoryLocks(other);
    for (let polls = 0; locks.waiting === 0 && polls < 100; polls += 1) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      locks = await advisoryLocks(other);
    }
    expect(locks).toEqual({ held: 1, waiting: 1 });

    await holder.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    await holder.release();
    const migrated = await migrating;
    expect(await migrated.query('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "migrations"')).toEqual([{ n: NOTES_MIGRATIONS.length }]);
    await Promise.all([migrated.destroy(), other.destroy()]);
  });

  // DATABASE_STATEMENT_TIMEOUT_MS is for requests: a migration (an index built on a big table) or
  // the wait for another instance's may take longer, and cancelled it would only start again.
  describe('without the statement timeout of requests', () => {
    const TIMEOUT_MS = 50;
    const timedOut = () => ({ ...(parseDatabaseUrl(url) as PostgresConfig), statementTimeoutMs: TIMEOUT_MS, poolSize: 1 });

    /** A migration that takes longer than the timeout: 6 times it. */
    class SlowMigration1799999999998 implements MigrationInterface {
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(`SELECT pg_sleep(${(6 * TIMEOUT_MS) / 1000})`);
      }

      down(): Promise<void> {
        return Promise.resolve();
      }
    }

    it('runs a migration that takes longer than the timeout, and gives the connection back with the timeout', async () => {
      const config = timedOut();
      const options = buildDataSourceOptions(config, { migrations: [...NOTES_MIGRATIONS, SlowMigration1799999999998] });

      const migrated = await initializeDataSource(options, config);

      expect(await migrated.query('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "migrations"')).toEqual([{ n: NOTES_MIGRATIONS.length + 1 }]);
      // The pool's one connection, the one that migrated: requests keep their limit.
      expect(await migrated.query('SHOW statement_timeout')).toEqual([{ statement_timeout: `${TIMEOUT_MS}ms` }]);
      await migrated.destroy();
    });

    it('waits for another instance’s migrations longer than the timeout', async () => {
      const config = timedOut();
      const other = await new DataSource(buildDataSourceOptions(parseDatabaseUrl(url))).initialize();
      const holder = other.createQueryRunner();
      await holder.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);

      const migrating = initializeDataSource(buildDataSourceOptions(config, { migrations: NOTES_MIGRATIONS }), config);
      while ((await advisoryLocks(other)).waiting === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      // Held on for 6 times the timeout after the start began to wait, as a long migration would.
      await holder.query(`SELECT pg_sleep(${(6 * TIMEOUT_MS) / 1000}), pg_advisory_unlock($1)`, [MIGRATION_LOCK]);
      await holder.release();

      const migrated = await migrating;
      expect(await migrated.query('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "migrations"')).toEqual([{ n: NOTES_MIGRATIONS.length }]);
      await Promise.all([migrated.destroy(), other.destroy()]);
    });
  });
});
