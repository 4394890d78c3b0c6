import { Injectable } from '@nestjs/common';
import { refusedAsIntegrityError } from '../core/database/integrity-error';
import { TransactionContext } from '../core/database/transaction-context';
import { TrackingState } from '../core/tracking-state';
import { SmsTransferEntity } from './sms-transfer.entity';
import {
  NewSmsTransfer,
  SmsTransfer,
  SmsTransferPage,
  SmsTransferPageQuery,
  SmsTransferRepository,
} from './sms-transfer.repository';

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
    const result = await this.rows.update({ UBID: ubid }, { state, when: () => 'CURRENT_TIMESTAMP' });
    return result.affected ? this.findByUbid(ubid) : null;
  }

  async delete(ubid: string): Promise<boolean> {
    const result = await this.rows.delete({ UBID: ubid });
    return (result.affected ?? 0) > 0;
  }
}
