import { AsyncLocalStorage } from 'node:async_hooks';

import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** What the running unit of work may do. */
export type WorkKind = 'read' | 'write';

interface RunningWork {
  manager: EntityManager;
  kind: WorkKind;
}

/**
 * Carries the transaction's EntityManager from the unit of work to the repositories through
 * the async call chain, so that repository signatures stay free of TypeORM types.
 */
@Injectable()
export class TransactionContext {
  private readonly storage = new AsyncLocalStorage<RunningWork>();

  /** The kind of the running unit of work; undefined outside one. */
  get activeKind(): WorkKind | undefined {
    return this.storage.getStore()?.kind;
  }

  /** The manager of the running transaction; repositories may only work inside one. */
  get manager(): EntityManager {
    const running = this.storage.getStore();
    if (!running) {
      throw new Error('A repository was called outside a unit of work (UnitOfWork.read or write): every query must run in a transaction');
    }
    return running.manager;
  }

  runWith<T>(manager: EntityManager, kind: WorkKind, work: () => Promise<T>): Promise<T> {
    return this.storage.run({ manager, kind }, work);
  }
}
