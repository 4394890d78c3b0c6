import { Column, Entity, PrimaryColumn } from 'typeorm';

import { TrackingState } from '../tracking/tracking-state';
import { SmsTransfer } from './domain/sms-transfer';

/** `sms_transfers`: one row per batch. The DDL, defaults included, is in the migrations. */
@Entity({ name: 'sms_transfers' })
export class SmsTransferEntity implements SmsTransfer {
  @PrimaryColumn({ type: 'character', length: 36 })
  UBID: string;

  @Column({ type: 'varchar', length: 55 })
  fileName: string;

  @Column({ type: 'varchar', length: 50 })
  origName: string;

  @Column({ type: 'integer', default: 0 })
  fallbackCount: number;

  @Column({ type: Date, default: () => 'CURRENT_TIMESTAMP' })
  when: Date;

  @Column({ type: 'varchar', length: 4, default: TrackingState.INIT })
  state: TrackingState;

  @Column({ type: 'integer' })
  documents: number;

  @Column({ type: 'integer', nullable: true })
  SMScount: number | null;
}
