import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
    if (this.context.active) {
      // Already inside a unit of work: join it instead of nesting (or deadlocking the queue).
      return work();
    }
    const transaction = () => this.dataSource.transaction((manager) => this.context.runWith(manager, work));
    return this.queue ? this.queue.run(transaction) : transaction();
  }
}
