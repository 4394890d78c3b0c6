import { Injectable } from '@nestjs/common';
import { In, LessThan, MoreThan } from 'typeorm';

import { DatabaseEngine, engineOf } from '../core/database/engine';
import { refusedAsIntegrityError } from '../core/database/integrity-error';
import { NOW, timeParameter } from '../core/database/time-parameter';
import { TransactionContext } from '../core/database/transaction-context';
import { DeliveryOutcome } from '../tracking/gateway-receipt';
import { statesBefore, TrackingState } from '../tracking/tracking-state';
import { ExpiredTransfersQuery, NewSmsTransfer, SmsTransfer, SmsTransferPage, SmsTransferPageQuery } from './domain/sms-transfer';
import { SmsTransferEntity } from './sms-transfer.entity';
import { SmsTransferRepository } from './sms-transfer.repository';

const NOT_DONE = statesBefore(TrackingState.DONE).map((state) => `'${state}'`);

/**
 * How many documents of the transfer being updated were not delivered: those that have not reached
 * DONE (the states are the enum's constants), and those DONE with an outcome other than `delivered`
 * (docs/receipts.md). A document DONE without an outcome counts as delivered, as it always did. Two
 * counts: the first reads the tracking index alone, the second reads only the DONE rows' outcomes.
 */
const COUNT_DOCUMENTS_NOT_DELIVERED = `((SELECT COUNT(*) FROM "sms_documents"
  WHERE "sms_documents"."UBID" = "sms_transfers"."UBID" AND "sms_documents"."state" IN (${NOT_DONE.join(', ')}))
  + (SELECT COUNT(*) FROM "sms_documents" WHERE "sms_documents"."UBID" = "sms_transfers"."UBID"
  AND "sms_documents"."state" = '${TrackingState.DONE}' AND "sms_documents"."outcome" <> '${DeliveryOutcome.DELIVERED}'))`;

/** No document of the transfer being read changed at or after :before. */
const NO_DOCUMENT_CHANGED_SINCE = `NOT EXISTS (SELECT 1 FROM "sms_documents"
  WHERE "sms_documents"."UBID" = "sms_transfers"."UBID" AND "sms_documents"."when" >= :before)`;

/**
 * Whether the transfer has not changed since the time, locking it until the unit of work ends;
 * parameters: UBID, time. PostgreSQL: FOR UPDATE waits for the writes to its documents in flight
 * (each holds the transfer from its start, docs/database.md#lock-order) and keeps new ones out,
 * so the purge's next statement sees every upload acknowledged so far, and none can slip in.
 * SQLite runs one write at a time: a plain read.
 */
const LOCK_IF_EXPIRED: Record<DatabaseEngine, string> = {
  sqlite: `SELECT 1 AS "expired" FROM "sms_transfers" WHERE "UBID" = ? AND "when" < ?`,
  postgres: `SELECT 1 AS "expired" FROM "sms_transfers" WHERE "UBID" = $1 AND "when" < $2 FOR UPDATE`,
};

/**
 * A bounded delete of one transfer's old documents; parameters: UBID, time, limit. Neither engine
 * has DELETE … LIMIT (SQLite only when built for it), so the rows are picked by a subquery on the
 * primary key. PostgreSQL locks them there, in uniqueId order as every write does, and checks the
 * time again on the newest version of a row another write changed: the condition of a subquery
 * alone is not checked again, and a re-upload committed meanwhile was deleted. As ARRAY(…) the
 * subquery runs once, before the delete: as `IN (…)` the planner may run it again for each row,
 * and a run after some deletions skips the rows deleted and locks the next ones, past the limit.
 */
const DELETE_EXPIRED_DOCUMENTS: Record<DatabaseEngine, string> = {
  sqlite: `DELETE FROM "sms_documents" WHERE "UBID" = ?1 AND "uniqueId" IN
  (SELECT "uniqueId" FROM "sms_documents" WHERE "UBID" = ?1 AND "when" < ?2 LIMIT ?3)`,
  postgres: `DELETE FROM "sms_documents" WHERE "UBID" = $1 AND "uniqueId" = ANY(ARRAY(
  SELECT "uniqueId" FROM "sms_documents" WHERE "UBID" = $1 AND "when" < $2 ORDER BY "uniqueId" LIMIT $3 FOR UPDATE))`,
};

@Injectable()
export class TypeOrmSmsTransferRepository extends SmsTransferRepository {
  constructor(private readonly transaction: TransactionContext) {
    super();
  }

  private get rows() {
    return this.transaction.manager.getRepository(SmsTransferEntity);
  }

  /** The current time as the engine writes it into `when`. */
  private get now(): string {
    return NOW[engineOf(this.transaction.manager)];
  }

  async upsert(transfer: NewSmsTransfer): Promise<SmsTransfer> {
    // A re-sent batch is a retry: it starts over from INIT with no fallbacks, timed now. Every
    // column takes the inserted value on conflict, so the fresh state and time win too.
    await refusedAsIntegrityError(() =>
      this.rows
        .createQueryBuilder()
        .insert()
        .values({ ...transfer, state: TrackingState.INIT, fallbackCount: 0, when: () => this.now })
        .orUpdate(['fileName', 'origName', 'documents', 'SMScount', 'state', 'fallbackCount', 'when'], ['UBID'])
        // Nothing is read back into the values: the method answers the row as stored.
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
      // Equal times (one millisecond; one second in rows SQLite stored before it kept milliseconds): the UBID keeps pages stable.
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
    if (before.length > 0) await this.rows.update({ UBID: ubid, state: In(before) }, { state, when: () => this.now });
    return this.findByUbid(ubid);
  }

  setFallbackCount(ubid: string, fallbackCount: number): Promise<SmsTransfer | null> {
    return this.updateFallbackCount(ubid, fallbackCount);
  }

  setFallbackCountFromDocuments(ubid: string): Promise<SmsTransfer | null> {
    // Counted inside the UPDATE, from the documents' (UBID, state, …) index, so the number stored
    // is the number of that moment even while receipts arrive.
    return this.updateFallbackCount(ubid, () => COUNT_DOCUMENTS_NOT_DELIVERED);
  }

  private async updateFallbackCount(ubid: string, fallbackCount: number | (() => string)): Promise<SmsTransfer | null> {
    const result = await this.rows.update({ UBID: ubid }, { fallbackCount });
    return result.affected ? this.findByUbid(ubid) : null;
  }

  async delete(ubid: string): Promise<boolean> {
    const result = await this.rows.delete({ UBID: ubid });
    return (result.affected ?? 0) > 0;
  }

  async findExpired({ before, state, after, limit }: ExpiredTransfersQuery): Promise<string[]> {
    const time = timeParameter(this.transaction.manager, before);
    const query = this.rows
      .createQueryBuilder('sms_transfers')
      .select('sms_transfers.UBID', 'UBID')
      .where({ when: LessThan(time), ...(state && { state }), ...(after !== undefined && { UBID: MoreThan(after) }) })
      .andWhere(NO_DOCUMENT_CHANGED_SINCE, { before: time })
      .orderBy('sms_transfers.UBID')
      .limit(limit);
    const rows: { UBID: string }[] = await query.getRawMany();
    return rows.map((row) => row.UBID);
  }

  async lockIfExpired(ubid: string, before: Date): Promise<boolean> {
    const { manager } = this.transaction;
    const rows: unknown[] = await manager.query(LOCK_IF_EXPIRED[engineOf(manager)], [ubid, timeParameter(manager, before)]);
    return rows.length > 0;
  }

  async deleteExpiredDocuments(ubid: string, before: Date, limit: number): Promise<number> {
    const { manager } = this.transaction;
    const result = await manager.queryRunner!.query(
      DELETE_EXPIRED_DOCUMENTS[engineOf(manager)],
      [ubid, timeParameter(manager, before), limit],
      true,
    );
    return result.affected ?? 0;
  }

  async deleteIfExpired(ubid: string, before: Date): Promise<boolean> {
    const time = timeParameter(this.transaction.manager, before);
    const result = await this.rows
      .createQueryBuilder()
      .delete()
      .where({ UBID: ubid, when: LessThan(time) })
      .andWhere('NOT EXISTS (SELECT 1 FROM "sms_documents" WHERE "sms_documents"."UBID" = :ubid)', { ubid })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
