import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

import { SmsTransferEntity } from '../sms-transfer/sms-transfer.entity';
import { DeliveryOutcome } from '../tracking/gateway-receipt';
import { TrackingState } from '../tracking/tracking-state';
import { SmsDocument } from './domain/sms-document';

/** `sms_documents`: one row per SMS message of a batch. The DDL, defaults included, is in the migrations. */
@Entity({ name: 'sms_documents' })
export class SmsDocumentEntity implements SmsDocument {
  @PrimaryColumn({ type: 'character', length: 36 })
  UBID: string;

  @PrimaryColumn({ type: 'varchar', length: 10 })
  uniqueId: string;

  @Column({ type: 'varchar', length: 4, default: TrackingState.INIT })
  state: TrackingState;

  @Column({ type: 'integer' })
  SMScount: number;

  @Column({ type: Date, default: () => 'CURRENT_TIMESTAMP' })
  when: Date;

  @Column({ type: 'json' })
  data: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16, nullable: true })
  gateway: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  messageId: string | null;

  @Column({ type: 'varchar', length: 9, nullable: true })
  outcome: DeliveryOutcome | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  errorCode: string | null;

  @Column({ type: Date, nullable: true })
  doneAt: Date | null;

  /** The foreign key: deleting the transfer deletes its documents. */
  @ManyToOne(() => SmsTransferEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'UBID' })
  transfer?: SmsTransferEntity;
}
