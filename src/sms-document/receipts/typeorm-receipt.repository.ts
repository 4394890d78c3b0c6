import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

import { DatabaseEngine, engineOf } from '../../core/database/engine';
import { NOW, timeParameter } from '../../core/database/time-parameter';
import { TransactionContext } from '../../core/database/transaction-context';
import { GatewayReceipt, ReceiptStatus } from '../../tracking/gateway-receipt';
import { TrackingState } from '../../tracking/tracking-state';
import { SmsDocumentEntity } from '../sms-document.entity';
import { batchLock } from '../typeorm-sms-document.repository';
import { messageKey, MessageName } from './delivery';
import { DeliveryChange, ReceiptRepository, Submission, TrackedMessage } from './receipt.repository';

/**
 * PostgreSQL: the advisory locks that make a receipt and a submission of one message id take turns
 * (lockMessageIds), keyed by this number and a bucket of the id. 64 buckets: a single receipt holds
 * one, so receipts of different messages mostly run side by side, and a request of 5000 ids holds
 * at most 64 locks, far below the lock table's room (max_locks_per_transaction × connections).
 */
export const MESSAGE_IDS = 7_000_003;
const MESSAGE_ID_BUCKETS = 64;

/** The bucket of a message id's lock: any stable hash of its key does. */
export function bucketOf(name: MessageName): number {
  let hash = 0;
  for (const character of messageKey(name)) hash = (hash * 31 + character.charCodeAt(0)) % MESSAGE_ID_BUCKETS;
  return hash;
}

/** The columns a receipt reads of a document. */
const TRACKED_COLUMNS = `d."UBID", d."uniqueId", d."gateway", d."messageId", d."state", d."outcome", d."errorCode", d."doneAt"`;

/**
 * The documents holding the named ids. The ids travel as one parameter whatever their number (see
 * UNIQUE_IDS_PARAMETER in ../typeorm-sms-document.repository.ts), each as its gateway and its key
 * (the id in lower case); `"messageId" IS NOT NULL` lets both engines use the partial unique index.
 * SQLite: the ids outside, one probe of the index each (CROSS JOIN fixes the order). PostgreSQL: the
 * ids as two arrays; `$3`, the batches locked, keeps the lock to exactly their documents.
 */
const FIND_BY_MESSAGE_IDS: Record<DatabaseEngine, string> = {
  sqlite: `SELECT ${TRACKED_COLUMNS} FROM json_each(?) AS ids CROSS JOIN "sms_documents" AS d
  ON d."gateway" = ids."value" ->> 0 AND lower(d."messageId") = ids."value" ->> 1 AND d."messageId" IS NOT NULL`,
  postgres: `SELECT ${TRACKED_COLUMNS} FROM "sms_documents" AS d
  WHERE d."messageId" IS NOT NULL AND (d."gateway", lower(d."messageId")) IN (SELECT * FROM unnest($1::varchar[], $2::text[]))`,
};

const NAMES_PARAMETERS: Record<DatabaseEngine, (names: MessageName[]) => unknown[]> = {
  sqlite: (names) => [JSON.stringify(names.map((name) => [name.gateway, name.messageId.toLowerCase()]))],
  postgres: (names) => [names.map((name) => name.gateway), names.map((name) => name.messageId.toLowerCase())],
};

/** PostgreSQL: the batches' locks shared, in the order of the array given (UBID order); parameter: the UBIDs. */
const LOCK_BATCHES = `SELECT COUNT(${batchLock('u', 'shared')}) FROM unnest($1::varchar[]) AS u`;
/** PostgreSQL: the transfers' rows, as every document write locks them (KEY SHARE), in UBID order. */
const LOCK_TRANSFERS = `SELECT 1 FROM "sms_transfers" WHERE "UBID" = ANY($1::bpchar[]) ORDER BY "UBID" FOR KEY SHARE`;
const LOCK_DOCUMENTS = `${FIND_BY_MESSAGE_IDS.postgres} AND d."UBID" = ANY($3::bpchar[]) ORDER BY d."UBID", d."uniqueId" FOR NO KEY UPDATE`;

/**
 * The new deliveries, one JSON array parameter, applied by one UPDATE that joins it on the primary
 * key. SQLite stores times as UTC text with milliseconds, as NOW writes them.
 */
const WRITE_DELIVERIES: Record<DatabaseEngine, string> = {
  sqlite: `UPDATE "sms_documents" SET "state" = c."value" ->> 'state', "outcome" = c."value" ->> 'outcome',
  "errorCode" = c."value" ->> 'errorCode', "doneAt" = c."value" ->> 'doneAt', "when" = ${NOW.sqlite}
  FROM json_each(?) AS c WHERE "sms_documents"."UBID" = c."value" ->> 'UBID' AND "sms_documents"."uniqueId" = c."value" ->> 'uniqueId'`,
  postgres: `UPDATE "sms_documents" AS d SET "state" = c."state", "outcome" = c."outcome", "errorCode" = c."errorCode",
  "doneAt" = c."doneAt", "when" = ${NOW.postgres}
  FROM json_to_recordset($1::json) AS c("UBID" CHAR(36), "uniqueId" VARCHAR(10), "state" VARCHAR(4), "outcome" VARCHAR(9), "errorCode" VARCHAR(64), "doneAt" TIMESTAMPTZ)
  WHERE d."UBID" = c."UBID" AND d."uniqueId" = c."uniqueId"`,
};

/**
 * A submission: the ids, and INIT becomes SENT, for the rows where that changes anything (so the
 * count is of the documents changed); parameters: SUBMIT_PARAMETERS. SQLite takes the UBID from each
 * row of the JSON: given as a constant, it read the batch's whole range of the tracking index and,
 * for each document, every row of the JSON (58 s for 5000 ids in a batch of 10,000, minutes at
 * 100,000); joined on the rows, it reads them outside with a primary-key probe each.
 */
const SUBMIT: Record<DatabaseEngine, string> = {
  sqlite: `UPDATE "sms_documents" SET "gateway" = ?1, "messageId" = s."value" ->> 'messageId',
  "state" = CASE "state" WHEN '${TrackingState.INIT}' THEN '${TrackingState.SENT}' ELSE "state" END, "when" = ${NOW.sqlite}
  FROM json_each(?2) AS s
  WHERE "sms_documents"."UBID" = s."value" ->> 'UBID' AND "sms_documents"."uniqueId" = s."value" ->> 'uniqueId'
  AND ("sms_documents"."state" = '${TrackingState.INIT}' OR "sms_documents"."gateway" IS NOT ?1 OR "sms_documents"."messageId" IS NOT s."value" ->> 'messageId')`,
  postgres: `UPDATE "sms_documents" AS d SET "gateway" = $1, "messageId" = s."messageId",
  "state" = CASE d."state" WHEN '${TrackingState.INIT}' THEN '${TrackingState.SENT}' ELSE d."state" END, "when" = ${NOW.postgres}
  FROM json_to_recordset($2::json) AS s("uniqueId" VARCHAR(10), "messageId" VARCHAR(64))
  WHERE d."UBID" = $3 AND d."uniqueId" = s."uniqueId"
  AND (d."state" = '${TrackingState.INIT}' OR d."gateway" IS DISTINCT FROM $1 OR d."messageId" IS DISTINCT FROM s."messageId")`,
};

/** A submission's parameters: the gateway, the submissions as JSON (on SQLite each with the UBID), and on PostgreSQL the UBID. */
const SUBMIT_PARAMETERS: Record<DatabaseEngine, (ubid: string, gateway: string, submissions: Submission[]) => unknown[]> = {
  sqlite: (ubid, gateway, submissions) => [
    gateway,
    JSON.stringify(submissions.map(({ uniqueId, messageId }) => ({ UBID: ubid, uniqueId, messageId }))),
  ],
  postgres: (ubid, gateway, submissions) => [
    gateway,
    JSON.stringify(submissions.map(({ uniqueId, messageId }) => ({ uniqueId, messageId }))),
    ubid,
  ],
};

/** Pending receipts, one JSON array parameter, stored in its order (their ids, the order they are applied in). */
const ADD_PENDING: Record<DatabaseEngine, string> = {
  sqlite: `INSERT INTO "pending_receipts" ("gateway", "messageId", "status", "errorCode", "doneAt", "receivedAt")
  SELECT r."value" ->> 'gateway', r."value" ->> 'messageId', r."value" ->> 'status', r."value" ->> 'errorCode', r."value" ->> 'doneAt', ${NOW.sqlite}
  FROM json_each(?) AS r ORDER BY r."key"`,
  postgres: `INSERT INTO "pending_receipts" ("gateway", "messageId", "status", "errorCode", "doneAt", "receivedAt")
  SELECT r."value" ->> 'gateway', r."value" ->> 'messageId', r."value" ->> 'status', r."value" ->> 'errorCode',
  CAST(r."value" ->> 'doneAt' AS TIMESTAMPTZ), ${NOW.postgres}
  FROM json_array_elements($1::json) WITH ORDINALITY AS r("value", "n") ORDER BY r."n"`,
};

const PENDING_COLUMNS = `p."id", p."gateway", p."messageId", p."status", p."errorCode", p."doneAt"`;
const FIND_PENDING: Record<DatabaseEngine, string> = {
  sqlite: `SELECT ${PENDING_COLUMNS} FROM json_each(?) AS ids CROSS JOIN "pending_receipts" AS p
  ON p."gateway" = ids."value" ->> 0 AND lower(p."messageId") = ids."value" ->> 1`,
  postgres: `SELECT ${PENDING_COLUMNS} FROM "pending_receipts" AS p
  WHERE (p."gateway", lower(p."messageId")) IN (SELECT * FROM unnest($1::varchar[], $2::text[]))`,
};
const DELETE_PENDING: Record<DatabaseEngine, string> = {
  sqlite: `DELETE FROM "pending_receipts" WHERE "id" IN (SELECT "value" FROM json_each(?))`,
  postgres: `DELETE FROM "pending_receipts" WHERE "id" = ANY($1::bigint[])`,
};

interface PendingRow {
  id: number | string;
  gateway: string;
  messageId: string;
  status: ReceiptStatus;
  errorCode: string | null;
  doneAt: unknown;
}

@Injectable()
export class TypeOrmReceiptRepository extends ReceiptRepository {
  constructor(private readonly transaction: TransactionContext) {
    super();
  }

  /** SQLite needs no lock: its writes take turns. */
  async lockMessageIds(names: MessageName[]): Promise<void> {
    const { manager } = this.transaction;
    if (engineOf(manager) !== 'postgres' || names.length === 0) return;
    // In bucket order: two requests that both wait hold no bucket the other waits for.
    const buckets = [...new Set(names.map(bucketOf))].sort((a, b) => a - b);
    await manager.query(`SELECT COUNT(pg_advisory_xact_lock(${MESSAGE_IDS}, b)) FROM unnest($1::int[]) AS b`, [buckets]);
  }

  async findByMessageIds(names: MessageName[]): Promise<TrackedMessage[]> {
    const { manager } = this.transaction;
    const engine = engineOf(manager);
    if (names.length === 0) return [];
    return this.tracked(manager, await manager.query(FIND_BY_MESSAGE_IDS[engine], NAMES_PARAMETERS[engine](uniqueNames(names))));
  }

  /**
   * PostgreSQL: which batches hold the ids is read first, unlocked (under lockMessageIds it does not
   * change), then their locks are taken in the order of every write, and the documents read again
   * as locked. SQLite: the read alone.
   */
  async lockByMessageIds(names: MessageName[]): Promise<TrackedMessage[]> {
    const { manager } = this.transaction;
    const found = await this.findByMessageIds(names);
    if (engineOf(manager) !== 'postgres' || found.length === 0) return found;
    const ubids = [...new Set(found.map((document) => document.UBID))].sort();
    await manager.query(LOCK_BATCHES, [ubids]);
    await manager.query(LOCK_TRANSFERS, [ubids]);
    return this.tracked(manager, await manager.query(LOCK_DOCUMENTS, [...NAMES_PARAMETERS.postgres(uniqueNames(names)), ubids]));
  }

  async writeDeliveries(changes: DeliveryChange[]): Promise<void> {
    if (changes.length === 0) return;
    const { manager } = this.transaction;
    const rows = changes.map(({ UBID, uniqueId, state, outcome, errorCode, doneAt }) => ({
      UBID,
      uniqueId,
      state,
      outcome,
      errorCode,
      doneAt: doneAt && storedTime(manager, doneAt),
    }));
    await manager.query(WRITE_DELIVERIES[engineOf(manager)], [JSON.stringify(rows)]);
  }

  async submit(ubid: string, gateway: string, submissions: Submission[]): Promise<number> {
    const { manager } = this.transaction;
    const engine = engineOf(manager);
    const result = await manager.queryRunner!.query(SUBMIT[engine], SUBMIT_PARAMETERS[engine](ubid, gateway, submissions), true);
    return result.affected ?? 0;
  }

  async countPending(): Promise<number> {
    const [{ count }]: { count: number | string }[] = await this.transaction.manager.query(
      `SELECT CAST(COUNT(*) AS INTEGER) AS "count" FROM "pending_receipts"`,
    );
    return Number(count);
  }

  async addPending(receipts: GatewayReceipt[]): Promise<void> {
    if (receipts.length === 0) return;
    const { manager } = this.transaction;
    const rows = receipts.map(({ gateway, messageId, status, errorCode, doneAt }) => ({
      gateway,
      messageId,
      status,
      errorCode,
      doneAt: doneAt && storedTime(manager, doneAt),
    }));
    await manager.query(ADD_PENDING[engineOf(manager)], [JSON.stringify(rows)]);
  }

  async takePending(names: MessageName[]): Promise<GatewayReceipt[]> {
    if (names.length === 0) return [];
    const { manager } = this.transaction;
    const engine = engineOf(manager);
    const rows: PendingRow[] = await manager.query(FIND_PENDING[engine], NAMES_PARAMETERS[engine](uniqueNames(names)));
    if (rows.length === 0) return [];
    const ids = rows.map((row) => Number(row.id)).sort((a, b) => a - b);
    await manager.query(DELETE_PENDING[engine], [engine === 'sqlite' ? JSON.stringify(ids) : ids]);
    const byId = new Map(rows.map((row) => [Number(row.id), row]));
    return ids.map((id) => {
      const { gateway, messageId, status, errorCode, doneAt } = byId.get(id)!;
      return { gateway, messageId, status, errorCode, doneAt: hydratedTime(manager, doneAt) };
    });
  }

  async deletePendingReceivedBefore(time: Date): Promise<number> {
    const { manager } = this.transaction;
    const result = await manager
      .createQueryBuilder()
      .delete()
      .from('pending_receipts')
      .where(`"receivedAt" < :time`, { time: timeParameter(manager, time) })
      .execute();
    return result.affected ?? 0;
  }

  private tracked(manager: EntityManager, rows: (Omit<TrackedMessage, 'doneAt'> & { doneAt: unknown })[]): TrackedMessage[] {
    return rows.map((row) => ({ ...row, doneAt: hydratedTime(manager, row.doneAt) }));
  }
}

/** Each id once, as the engines' joins would otherwise answer a document once per time it is named. */
function uniqueNames(names: MessageName[]): MessageName[] {
  const byKey = new Map(names.map((name) => [messageKey(name), name]));
  return [...byKey.values()];
}

/** A time as each engine stores it in a column of the document table: SQLite's UTC text with milliseconds, as NOW writes it. */
function storedTime(manager: EntityManager, time: Date): string {
  return engineOf(manager) === 'sqlite' ? time.toISOString().slice(0, 23).replace('T', ' ') : time.toISOString();
}

/** A raw time column as the driver reads the entity's (SQLite: UTC text). */
function hydratedTime(manager: EntityManager, value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const doneAt = manager.connection.getMetadata(SmsDocumentEntity).findColumnWithPropertyName('doneAt')!;
  return manager.connection.driver.prepareHydratedValue(value, doneAt) as Date;
}
