import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { unavailableAsError } from './database-unavailable';
import { SerialQueue } from './serial-queue';
import { TransactionContext } from './transaction-context';
import { UnitOfWork } from './unit-of-work';

@Injectable()
export class TypeOrmUnitOfWork extends UnitOfWork {
  /** SQLite has one shared connection: its transactions must take turns. */
  private readonly queue?: SerialQueue;

  constructor(
    private readonly dataSource: DataSource,
    private readonly context: TransactionContext,
  ) {
    super();
    if (dataSource.options.type === 'sqlite') {
      this.queue = new SerialQueue();
    }
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    return this.inTurn(() => this.dataSource.transaction((manager) => this.context.runWith(manager, work)), work);
  }

  runSingleStatement<T>(work: () => Promise<T>): Promise<T> {
    return this.inTurn(async () => {
      const queryRunner = this.dataSource.createQueryRunner();
      try {
        return await this.context.runWith(queryRunner.manager, work);
      } finally {
        await queryRunner.release();
      }
    }, work);
  }

  /**
   * Runs `unit` when the connection is free, or `work` at once inside a running unit of work
   * (joining it). A database that cannot be used surfaces as DatabaseUnavailableError.
   */
  private inTurn<T>(unit: () => Promise<T>, work: () => Promise<T>): Promise<T> {
    if (this.context.active) return work();
    return unavailableAsError(() => (this.queue ? this.queue.run(unit) : unit()));
  }
}
