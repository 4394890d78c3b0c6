import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/**
 * Carries the transaction's EntityManager from the unit of work to the repositories through
 * the async call chain, so that repository signatures stay free of TypeORM types.
 */
@Injectable()
export class TransactionContext {
  private readonly storage = new AsyncLocalStorage<EntityManager>();

  get active(): EntityManager | undefined {
    return this.storage.getStore();
  }

  /** The manager of the running transaction; repositories may only work inside one. */
  get manager(): EntityManager {
    const manager = this.storage.getStore();
    if (!manager) {
      throw new Error('A repository was called outside UnitOfWork.run(): every query must run in a transaction');
    }
    return manager;
  }

  runWith<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
    return this.storage.run(manager, work);
  }
}
