import { Injectable } from '@nestjs/common';

import { IntegrityError } from '../core/database/integrity-error';
import { UnitOfWork } from '../core/database/unit-of-work';
import { isBackwards, TrackingState } from '../core/tracking-state';
import { NewSmsTransfer, SmsTransfer, SmsTransferPage, SmsTransferPageQuery } from './domain/sms-transfer';
import { transferMovingBackwards, transferNotFound, transferRefused } from './sms-transfer.errors';
import { SmsTransferRepository } from './sms-transfer.repository';

/** The rules for transfers; each method is one API call and so one unit of work. */
@Injectable()
export class SmsTransferService {
  constructor(
    private readonly transfers: SmsTransferRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async create(transfer: NewSmsTransfer): Promise<SmsTransfer> {
    try {
      return await this.unitOfWork.write(() => this.transfers.upsert(transfer));
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

  delete(ubid: string): Promise<void> {
    return this.unitOfWork.write(async () => {
      if (!(await this.transfers.delete(ubid))) throwNotFound(ubid);
    });
  }
}

function throwNotFound(ubid: string): never {
  throw transferNotFound(ubid);
}
