import { Injectable } from '@nestjs/common';

import { IntegrityError } from '../core/database/integrity-error';
import { UnitOfWork } from '../core/database/unit-of-work';
import { Metrics } from '../core/metrics/metrics';
import { isBackwards, TrackingState } from '../tracking/tracking-state';
import { NewSmsTransfer, PurgeResult, SmsTransfer, SmsTransferPage, SmsTransferPageQuery } from './domain/sms-transfer';
import { transferMovingBackwards, transferNotFound, transferRefused } from './sms-transfer.errors';
import { SmsTransferRepository } from './sms-transfer.repository';

/**
 * Documents a purge deletes per statement. Each statement is part of a write unit of its own, and
 * on SQLite every other write waits for it: at 2000 it holds the writer ≈ 15 ms (docs/performance.md).
 */
export const PURGE_DOCUMENTS_PER_STATEMENT = 2000;
/** Expired transfers a purge looks up per read. */
export const PURGE_TRANSFERS_PER_READ = 100;

/** The rules for transfers; each method is one API call and so one unit of work, but for `purge`. */
@Injectable()
export class SmsTransferService {
  constructor(
    private readonly transfers: SmsTransferRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly metrics: Metrics,
  ) {}

  async create(transfer: NewSmsTransfer): Promise<SmsTransfer> {
    try {
      const created = await this.unitOfWork.write(() => this.transfers.upsert(transfer));
      this.metrics.transfersCreated.inc();
      return created;
    } catch (error) {
      if (error instanceof IntegrityError) throw transferRefused(transfer.UBID, error.reason);
      throw error;
    }
  }

  list(query: SmsTransferPageQuery): Promise<SmsTransferPage> {
    return this.unitOfWork.read(() => this.transfers.findPage(query));
  }

  get(ubid: string): Promise<SmsTransfer> {
    return this.unitOfWork.read(async () => (await this.transfers.findByUbid(ubid)) ?? throwNotFound(ubid));
  }

  /** Forward only; the same state again is a no-op that succeeds. */
  updateState(ubid: string, state: TrackingState): Promise<SmsTransfer> {
    return this.unitOfWork.write(async () => {
      const transfer = (await this.transfers.updateState(ubid, state)) ?? throwNotFound(ubid);
      if (isBackwards(transfer.state, state)) throw transferMovingBackwards(ubid, transfer.state, state);
      return transfer;
    });
  }

  /** Counts the documents not DONE and stores the number as the fallback count. */
  computeFallback(ubid: string): Promise<SmsTransfer> {
    return this.unitOfWork.write(async () => (await this.transfers.setFallbackCountFromDocuments(ubid)) ?? throwNotFound(ubid));
  }

  setFallbackCount(ubid: string, fallbackCount: number): Promise<SmsTransfer> {
    return this.unitOfWork.write(async () => (await this.transfers.setFallbackCount(ubid, fallbackCount)) ?? throwNotFound(ubid));
  }

  /**
   * Removes the transfers that have not changed since `before`, nor have any of their documents,
   * optionally only those in `state`. Not one unit of work but many short ones, so that uploads
   * and reads go on while it runs: each expired transfer's documents are deleted
   * PURGE_DOCUMENTS_PER_STATEMENT at a time, then the transfer, each step a write of its own. A
   * document that changes meanwhile stays, and so does its transfer, until they are old enough
   * too. Each transfer is visited once (the lookup goes on in UBID order), so the purge ends even
   * while new data arrives. A time in the future is taken as now.
   */
  async purge(before: Date, state?: TrackingState): Promise<PurgeResult> {
    const cutoff = new Date(Math.min(before.getTime(), Date.now()));
    const purged: PurgeResult = { transfers: 0, documents: 0 };
    let after: string | undefined;
    for (;;) {
      const expired = await this.unitOfWork.read(() =>
        this.transfers.findExpired({ before: cutoff, state, after, limit: PURGE_TRANSFERS_PER_READ }),
      );
      for (const ubid of expired) await this.purgeTransfer(ubid, cutoff, purged);
      if (expired.length < PURGE_TRANSFERS_PER_READ) return purged;
      after = expired[expired.length - 1];
    }
  }

  /**
   * One transfer the lookup found expired. Each step locks the transfer and checks again that it
   * has not changed since the cutoff before it deletes: the lookup was a read, and uploads may have
   * been acknowledged since. The lock waits for the writes to the transfer in flight and keeps new
   * ones out, so the step's delete sees them all; none of its documents changed since the cutoff is
   * deleted, and the transfer only once it has no document left (docs/operations.md).
   */
  private async purgeTransfer(ubid: string, cutoff: Date, purged: PurgeResult): Promise<void> {
    const stillExpired = () => this.transfers.lockIfExpired(ubid, cutoff);
    let deleted: number;
    do {
      deleted = await this.unitOfWork.write(async () =>
        (await stillExpired()) ? this.transfers.deleteExpiredDocuments(ubid, cutoff, PURGE_DOCUMENTS_PER_STATEMENT) : 0,
      );
      purged.documents += deleted;
      this.metrics.documentsPurged.inc(deleted);
    } while (deleted === PURGE_DOCUMENTS_PER_STATEMENT);
    if (await this.unitOfWork.write(async () => (await stillExpired()) && this.transfers.deleteIfExpired(ubid, cutoff))) {
      purged.transfers += 1;
      this.metrics.transfersDeleted.inc({ by: 'purge' });
    }
  }

  async delete(ubid: string): Promise<void> {
    await this.unitOfWork.write(async () => {
      if (!(await this.transfers.delete(ubid))) throwNotFound(ubid);
    });
    this.metrics.transfersDeleted.inc({ by: 'request' });
  }
}

function throwNotFound(ubid: string): never {
  throw transferNotFound(ubid);
}
