import { setTimeout as sleep } from 'node:timers/promises';

import { Inject, Injectable, Optional } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

import { Metrics } from '../metrics/metrics';
import { CONFLICTING_WRITES, DatabaseUnavailableError, unavailableAsError, writeConflict } from './database-unavailable';
import { SerialQueue } from './serial-queue';
import { SqliteReadConnections } from './sqlite-read-connections';
import { TransactionContext } from './transaction-context';
import { UnitOfWork } from './unit-of-work';

/**
 * How often a unit of work that met another write (a deadlock, a serialization failure) is run in
 * all before the request answers 503: the first run and 4 more.
 */
export const CONFLICT_ATTEMPTS = 5;
/** The first run again waits up to this long, each further one up to twice as long as the one before (full jitter). */
const CONFLICT_BACKOFF_MS = 20;

/**
 * The pg Pool a PostgreSQL DataSource takes its connections from: TypeORM's PostgresDriver keeps
 * it in `master`, typed `any` there, from `initialize()` to `destroy()`. Read once: after a
 * `destroy()` the ended pool counts no connections, where `master` would be gone.
 */
function postgresPoolOf(dataSource: DataSource): Pool {
  const { driver } = dataSource;
  const pool = driver instanceof PostgresDriver ? (driver.master as Pool | undefined) : undefined;
  if (pool === undefined) throw new Error('TypeOrmUnitOfWork needs an initialized PostgreSQL DataSource: it has no pg Pool');
  return pool;
}

/**
 * SQLite: TypeORM's one read-write connection runs the writes, one transaction at a time; reads
 * run on the read-only connections when the database is a file, and take their turn with the
 * writes on `sqlite::memory:` (a second connection would open another, empty database).
 * PostgreSQL: every unit of work takes a connection of the pool and runs concurrently; one that
 * meets another write on the same rows and is refused for it (a deadlock, a serialization
 * failure) is run again as a whole, a few times, before it answers 503.
 */
@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  /** SQLite has one write connection: its transactions must take turns. */
  private readonly writeQueue?: SerialQueue;

  constructor(
    private readonly dataSource: DataSource,
    private readonly context: TransactionContext,
    @Optional() @Inject(SqliteReadConnections) private readonly readers: SqliteReadConnections | null = null,
    @Optional() @Inject(Metrics) private readonly metrics: Metrics | null = null,
  ) {
    super();
    if (dataSource.options.type === 'sqlite') {
      const queue = new SerialQueue(metrics ? (seconds) => metrics.writeQueueWait.observe(seconds) : undefined);
      this.writeQueue = queue;
      metrics?.watchSqliteWriteQueue(queue);
    } else if (metrics) {
      metrics.watchPostgresPool(postgresPoolOf(dataSource));
    }
  }

  read<T>(work: () => Promise<T>): Promise<T> {
    if (this.context.activeKind) return work();
    const { readers } = this;
    const reading = (manager: EntityManager) => this.context.runWith(manager, 'read', work);
    if (readers) return unavailableAsError(() => readers.read(reading));
    // sqlite::memory:: the one connection may be in a write's transaction, whose changes a read must not see.
    // PostgreSQL has no write turn: each statement takes a connection of the pool.
    return this.inWriteTurn(() => reading(this.dataSource.manager));
  }

  write<T>(work: () => Promise<T>): Promise<T> {
    if (this.joinsRunningWrite()) return work();
    return this.inWriteTurn(() => this.dataSource.transaction((manager) => this.context.runWith(manager, 'write', work)));
  }

  writeSingleStatement<T>(work: () => Promise<T>): Promise<T> {
    if (this.joinsRunningWrite()) return work();
    return this.inWriteTurn(async () => {
      const queryRunner = this.dataSource.createQueryRunner();
      try {
        return await this.context.runWith(queryRunner.manager, 'write', work);
      } finally {
        await queryRunner.release();
      }
    });
  }

  /** A write inside a read is a bug: the read's connection may be read-only, and its snapshot would hide the write. */
  private joinsRunningWrite(): boolean {
    const running = this.context.activeKind;
    if (running === 'read') throw new Error('UnitOfWork.write() was called inside UnitOfWork.read(): a read may not change data');
    return running === 'write';
  }

  /**
   * Runs `unit` when the write connection is free, again when it met another write (see
   * retriedOnConflict); an unusable database surfaces as DatabaseUnavailableError. Only units that
   * are not joined come here: a joined one fails into the unit it joined, which runs again whole.
   */
  private inWriteTurn<T>(unit: () => Promise<T>): Promise<T> {
    return unavailableAsError(() => this.retriedOnConflict(() => (this.writeQueue ? this.writeQueue.run(unit) : unit())));
  }

  /**
   * PostgreSQL cancels one of two transactions that wait for each other's rows (40P01), or a
   * serializable one that cannot be ordered (40001); its work was rolled back and may run again.
   * Waiting a random while first lets the other one finish. After CONFLICT_ATTEMPTS runs the request
   * answers 503 with Retry-After, without the driver's words.
   */
  private async retriedOnConflict<T>(unit: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await unit();
      } catch (error) {
        const conflict = writeConflict(error);
        if (conflict === undefined) throw error;
        if (attempt === CONFLICT_ATTEMPTS) throw new DatabaseUnavailableError(CONFLICTING_WRITES, error);
        this.metrics?.writeRetries.inc({ conflict });
        await sleep(Math.random() * CONFLICT_BACKOFF_MS * 2 ** (attempt - 1));
      }
    }
  }
}
