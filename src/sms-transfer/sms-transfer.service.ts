import { Injectable } from '@nestjs/common';
import { IntegrityError } from '../core/database/integrity-error';
import { UnitOfWork } from '../core/database/unit-of-work';
import { TrackingState } from '../core/tracking-state';
import { transferNotFound, transferRefused } from './sms-transfer.errors';
import { NewSmsTransfer, SmsTransfer, SmsTransferPage, SmsTransferPageQuery, SmsTransferRepository } from './sms-transfer.repository';

/** The rules for transfers; each method is one API call and so one unit of work. */
@Injectable()
export class SmsTransferService {
  constructor(
    private readonly transfers: SmsTransferRepository,
    private readonly unitOfWork: UnitOfWork,
  ) {}

  async create(transfer: NewSmsTransfer): Promise<SmsTransfer> {
    try {
      return await this.unitOfWork.run(() => this.transfers.upsert(transfer));
    } catch (error) {
      if (error instanceof IntegrityError) throw transferRefused(transfer.UBID, error.reason);
      throw error;
    }
  }

  list(query: SmsTransferPageQuery): Promise<SmsTransferPage> {
    return this.unitOfWork.run(() => this.transfers.findPage(query));
  }

  get(ubid: string): Promise<SmsTransfer> {
    return this.unitOfWork.run(async () => (await this.transfers.findByUbid(ubid)) ?? throwNotFound(ubid));
  }

  updateState(ubid: string, state: TrackingState): Promise<SmsTransfer> {
    return this.unitOfWork.run(async () => (await this.transfers.updateState(ubid, state)) ?? throwNotFound(ubid));
  }

  delete(ubid: string): Promise<void> {
    return this.unitOfWork.run(async () => {
      if (!(await this.transfers.delete(ubid))) throwNotFound(ubid);
    });
  }
}

function throwNotFound(ubid: string): never {
  throw transferNotFound(ubid);
}
