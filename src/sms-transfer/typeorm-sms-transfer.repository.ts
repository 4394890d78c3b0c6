import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';

import { refusedAsIntegrityError } from '../core/database/integrity-error';
import { TransactionContext } from '../core/database/transaction-context';
import { statesBefore, TrackingState } from '../core/tracking-state';
import { NewSmsTransfer, SmsTransfer, SmsTransferPage, SmsTransferPageQuery } from './domain/sms-transfer';
import { SmsTransferEntity } from './sms-transfer.entity';
import { SmsTransferRepository } from './sms-transfer.repository';

const NOT_DONE = statesBefore(TrackingState.DONE).map((state) => `'${state}'`);

/** How many documents of the transfer being updated have not reached DONE (the states are the enum's constants). */
const COUNT_DOCUMENTS_NOT_DONE = `(SELECT COUNT(*) FROM "sms_documents"
  WHERE "sms_documents"."UBID" = "sms_transfers"."UBID" AND "sms_documents"."state" IN (${NOT_DONE.join(', ')}))`;

@Injectable()
export class TypeOrmSmsTransferRepository extends SmsTransferRepository {
  constructor(private readonly transaction: TransactionContext) {
    super();
  }

  private get rows() {
    return this.transaction.manager.getRepository(SmsTransferEntity);
  }

  async upsert(transfer: NewSmsTransfer): Promise<SmsTransfer> {
    // A re-sent batch is a retry: it starts over from INIT with no fallbacks, timed now. Every
    // column takes the inserted value on conflict, so the fresh state and time win too.
    await refusedAsIntegrityError(() =>
      this.rows
        .createQueryBuilder()
        .insert()
        .values({ ...transfer, state: TrackingState.INIT, fallbackCount: 0, when: () => 'CURRENT_TIMESTAMP' })
        .orUpdate(['fileName', 'origName', 'documents', 'SMScount', 'state', 'fallbackCount', 'when'], ['UBID'])
        .updateEntity(false)
        .execute(),
    );
    return this.rows.findOneByOrFail({ UBID: transfer.UBID });
  }

  async findByUbid(ubid: string): Promise<SmsTransfer | null> {
    return this.rows.findOneBy({ UBID: ubid });
  }

  async findPage({ limit, offset, state }: SmsTransferPageQuery): Promise<SmsTransferPage> {
    const [items, total] = await this.rows.findAndCount({
      where: state ? { state } : {},
      // "when" has one-second resolution on SQLite: the UBID keeps pages stable among equals.
      order: { when: 'DESC', UBID: 'ASC' },
      take: limit,
      skip: offset,
    });
    return { items, total };
  }

  async updateState(ubid: string, state: TrackingState): Promise<SmsTransfer | null> {
    // The condition, not the caller's reading of the row, keeps the state from going backwards,
    // also against a concurrent change on PostgreSQL (which re-checks it on the newest row).
    const before = statesBefore(state);
    if (before.length > 0) await this.rows.update({ UBID: ubid, state: In(before) }, { state, when: () => 'CURRENT_TIMESTAMP' });
    return this.findByUbid(ubid);
  }

  setFallbackCount(ubid: string, fallbackCount: number): Promise<SmsTransfer | null> {
    return this.updateFallbackCount(ubid, fallbackCount);
  }

  setFallbackCountFromDocuments(ubid: string): Promise<SmsTransfer | null> {
    // Counted inside the UPDATE, from the documents' (UBID, state, …) index, so the number stored
    // is the number of that moment even while receipts arrive.
    return this.updateFallbackCount(ubid, () => COUNT_DOCUMENTS_NOT_DONE);
  }

  private async updateFallbackCount(ubid: string, fallbackCount: number | (() => string)): Promise<SmsTransfer | null> {
    const result = await this.rows.update({ UBID: ubid }, { fallbackCount });
    return result.affected ? this.findByUbid(ubid) : null;
  }

  async delete(ubid: string): Promise<boolean> {
    const result = await this.rows.delete({ UBID: ubid });
    return (result.affected ?? 0) > 0;
  }
}
