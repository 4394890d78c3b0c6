import { Inject, Injectable, Optional } from '@nestjs/common';
import { Pool } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

import { Metrics } from '../metrics/metrics';
import { unavailableAsError } from './database-unavailable';
import { SerialQueue } from './serial-queue';
import { SqliteReadConnections } from './sqlite-read-connections';
import { TransactionContext } from './transaction-context';
import { UnitOfWork } from './unit-of-work';

/**
 * SQLite: TypeORM's one read-write connection runs the writes, one transaction at a time; reads
 * run on the read-only connections when the database is a file, and take their turn with the
 * writes on `sqlite::memory:` (a second connection would open another, empty database).
 * PostgreSQL: every unit of work takes a connection of the pool and runs concurrently.
 */
@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  /** SQLite has one write connection: its transactions must take turns. */
  private readonly writeQueue?: SerialQueue;

  constructor(
    private readonly dataSource: DataSource,
    private readonly context: TransactionContext,
    @Optional() @Inject(SqliteReadConnections) private readonly readers: SqliteReadConnections | null = null,
    // Optional without a default value: the mutation tests' instrumenter drops the decorators of a
    // parameter that has one (and is not a parameter property), which left Nest without the token.
    @Optional() @Inject(Metrics) metrics?: Metrics,
  ) {
    super();
    if (dataSource.options.type === 'sqlite') {
      const queue = new SerialQueue(metrics ? (seconds) => metrics.writeQueueWait.observe(seconds) : undefined);
      this.writeQueue = queue;
      metrics?.gauge(
        'tracking_sqlite_write_queue_depth',
        'SQLite: writes waiting for the write connection or running on it.',
        () => queue.depth,
      );
    } else if (metrics) {
      const pool = () => (dataSource.driver as PostgresDriver).master as Pool;
      metrics.gauge(
        'tracking_postgres_pool_size',
        'PostgreSQL: connections open in the pool (DATABASE_POOL_SIZE at most).',
        () => pool().totalCount,
      );
      metrics.gauge('tracking_postgres_pool_idle', 'PostgreSQL: open connections not in use.', () => pool().idleCount);
      metrics.gauge('tracking_postgres_pool_waiting', 'PostgreSQL: requests waiting for a connection.', () => pool().waitingCount);
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

  /** Runs `unit` when the write connection is free; an unusable database surfaces as DatabaseUnavailableError. */
  private inWriteTurn<T>(unit: () => Promise<T>): Promise<T> {
    return unavailableAsError(() => (this.writeQueue ? this.writeQueue.run(unit) : unit()));
  }
}
