import { Injectable } from '@nestjs/common';
import { And, FindOperator, FindOptionsSelect, FindOptionsWhere, In, LessThanOrEqual, MoreThan } from 'typeorm';

import { DatabaseEngine, engineOf } from '../core/database/engine';
import { refusedAsIntegrityError } from '../core/database/integrity-error';
import { NOW } from '../core/database/time-parameter';
import { TransactionContext } from '../core/database/transaction-context';
import { DeliveryOutcome } from '../tracking/gateway-receipt';
import { statesBefore, TrackingState } from '../tracking/tracking-state';
import { batchJsonText, DocumentBatch } from './domain/document-batch';
import {
  ExportedSmsDocument,
  KeysetPage,
  SmsDocument,
  SmsDocumentExportPageQuery,
  SmsDocumentListItem,
  SmsDocumentOutcomeCounts,
  SmsDocumentPage,
  SmsDocumentPageQuery,
  SmsDocumentStateCounts,
} from './domain/sms-document';
import { SmsDocumentEntity } from './sms-document.entity';
import { SmsDocumentRepository } from './sms-document.repository';

/**
 * A document uploaded again starts over: state INIT, no outcome, and the message ids its new upload
 * names, none when it names none (`ids`: what the two columns are set to).
 */
const onConflict = (ids: string) => `
  ON CONFLICT ("UBID", "uniqueId") DO UPDATE SET
    "SMScount" = excluded."SMScount",
    "data" = excluded."data",
    "state" = '${TrackingState.INIT}',
    "when" = excluded."when",
    ${ids},
    "outcome" = NULL,
    "errorCode" = NULL,
    "doneAt" = NULL`;

/**
 * PostgreSQL runs writes side by side. The document writers of one batch first take the batch's
 * lock (a transaction-level advisory lock on BATCH_DOCUMENTS and the UBID's hash): uploads and
 * receipts share it, a move of the whole batch holds it alone. Then every statement that writes
 * documents locks the transfer's row (KEY SHARE, the lock its foreign key takes; only a delete of
 * the transfer waits for it), then the documents, uploads and receipts in uniqueId order. Uploads
 * and receipts thus never hold rows the other waits for; a move meets none of them, and may
 * change its rows in any order with one plain UPDATE; a delete or a purge locks the transfer
 * first, so it waits for the writers in flight or they wait for it (docs/database.md#lock-order).
 * A transaction that waits for the batch's lock holds no lock of the batch yet. `transfer` is read
 * through `TRANSFER_LOCKED`, a one-time filter that PostgreSQL evaluates before the statement's
 * first row, so these locks come before any other. SQLite needs none of it: its writes take turns.
 */
const BATCH_DOCUMENTS = 7_000_002;
/**
 * The batch's lock, taken by the statement that reads it; `exclusive` only for a move of the whole
 * batch. The UBID is cast to the column's type: PostgreSQL types a parameter where it first meets
 * it, and as hashtext()'s text it compared `"UBID" = $1` as text, which no index of UBID serves.
 */
export const batchLock = (ubidParameter: string, mode: 'shared' | 'exclusive') =>
  `pg_advisory_xact_lock${mode === 'shared' ? '_shared' : ''}(${BATCH_DOCUMENTS}, hashtext(${ubidParameter}::bpchar))`;
/**
 * The batch's lock shared, then the transfer's row: `transfer` reads `batch` through a one-time
 * filter, as the statement reads `transfer` (TRANSFER_LOCKED).
 */
const batchThenTransfer = (ubidParameter: string) =>
  `WITH "batch" AS (SELECT ${batchLock(ubidParameter, 'shared')}),
  "transfer" AS (SELECT 1 FROM "sms_transfers" WHERE "UBID" = ${ubidParameter} AND (SELECT COUNT(*) FROM "batch") >= 0 FOR KEY SHARE)\n  `;
/** The transfer's row alone, for a move that holds the batch's lock already. */
const transferFirst = (ubidParameter: string) =>
  `WITH "transfer" AS (SELECT 1 FROM "sms_transfers" WHERE "UBID" = ${ubidParameter} FOR KEY SHARE)\n  `;
/** Always true: it only makes the statement read `transfer`, and so take its locks, first. */
const TRANSFER_LOCKED = `(SELECT COUNT(*) FROM "transfer") >= 0`;

/** The pieces of the upsert that carry the message ids: those of an upload naming some, and those of one naming none. */
const MESSAGE_ID_COLUMNS = {
  named: {
    columns: `, "gateway", "messageId"`,
    sqlite: `, "value" ->> 'gateway', "value" ->> 'messageId'`,
    postgres: `, d."gateway", d."messageId"`,
    postgresTypes: `, "gateway" VARCHAR(16), "messageId" VARCHAR(64)`,
    onConflict: `"gateway" = excluded."gateway", "messageId" = excluded."messageId"`,
  },
  // Two JSON lookups fewer per document, for
  // the common upload; new rows get the columns' default, NULL.
  none: { columns: '', sqlite: '', postgres: '', postgresTypes: '', onConflict: `"gateway" = NULL, "messageId" = NULL` },
};

/**
 * The whole sub-batch travels as one JSON text parameter that the database expands itself.
 * Binding 5000 × 4 separate values costs the event loop ~15 ms a request; one string costs
 * under 1 ms, and the unpacking happens in the database (on SQLite, on the driver's worker thread).
 * Each engine has its own JSON functions; a third engine adds its statement here. Message ids that
 * are named are checked by the partial unique index like a submission's.
 */
function upsertDocuments(ids: (typeof MESSAGE_ID_COLUMNS)[keyof typeof MESSAGE_ID_COLUMNS]): Record<DatabaseEngine, string> {
  return {
    // `WHERE true` keeps SQLite from reading ON CONFLICT as a join constraint of the SELECT. The text
    // must begin with "INSERT ": TypeORM's SQLite driver only then reports the changed rows.
    sqlite: `INSERT INTO "sms_documents" ("UBID", "uniqueId", "SMScount", "data"${ids.columns}, "when")
  SELECT ?, "value" ->> 'uniqueId', "value" ->> 'SMScount', "value" -> 'data'${ids.sqlite}, ${NOW.sqlite}
  FROM json_each(CAST(? AS TEXT))
  WHERE true${onConflict(ids.onConflict)}`,
    // JSON (not JSONB) keeps each document's data as sent. The batch's lock and the transfer first,
    // then the rows in uniqueId order (batchThenTransfer). An unknown UBID locks no row and goes on to
    // the foreign key's refusal, in the engine's words, as before. ON CONFLICT changes the newest
    // version of a row, also one a move committed while this statement waited for the batch's lock.
    postgres: `${batchThenTransfer('$1')}INSERT INTO "sms_documents" ("UBID", "uniqueId", "SMScount", "data"${ids.columns}, "when")
  SELECT $1, d."uniqueId", d."SMScount", d."data"${ids.postgres}, ${NOW.postgres}
  FROM json_to_recordset($2::json) AS d("uniqueId" VARCHAR(10), "SMScount" INTEGER, "data" JSON${ids.postgresTypes})
  WHERE ${TRANSFER_LOCKED}
  ORDER BY d."uniqueId"${onConflict(ids.onConflict)}`,
  };
}
const UPSERT_NAMING_IDS = upsertDocuments(MESSAGE_ID_COLUMNS.named);
const UPSERT_NAMING_NO_IDS = upsertDocuments(MESSAGE_ID_COLUMNS.none);

/**
 * The batch's JSON as each driver takes it best. SQLite: text as it is, bytes (from a worker) as a
 * BLOB, copied once as it is bound and read as text by the statement (CAST) on SQLite's own thread.
 * PostgreSQL: text, as node-postgres would send bytes as hexadecimal bytea.
 */
const DOCUMENTS_PARAMETER: Record<DatabaseEngine, (json: DocumentBatch['json']) => unknown> = {
  sqlite: (json) => (typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength)),
  postgres: batchJsonText,
};

/**
 * The uniqueIds of a receipts request are bound as one parameter whatever their number (the
 * engines limit bound variables). SQLite: one JSON array text, expanded by json_each like the
 * upsert's documents. PostgreSQL: one array. The driver sends it in an unnamed statement, so the
 * planner sees the 5000 ids as a constant: it knows how many there are and checks a row against
 * them with a hash. As `IN (SELECT … FROM json_array_elements_text(…))` it guessed from the
 * statistics of a batch loaded moments ago (1 row expected, 20,000 there) and chose a nested loop
 * that re-read the ids for every row: 23 s instead of 0.1 s for 5000 receipts.
 */
const UNIQUE_IDS_PARAMETER: Record<DatabaseEngine, (uniqueIds: string[]) => unknown> = {
  sqlite: (uniqueIds) => JSON.stringify(uniqueIds),
  postgres: (uniqueIds) => uniqueIds,
};

/** "The document is one of these uniqueIds", for the query builder. CAST, as TypeORM would read `::` as a parameter. */
const AMONG_UNIQUE_IDS: Record<DatabaseEngine, string> = {
  sqlite: `"uniqueId" IN (SELECT "value" FROM json_each(:uniqueIds))`,
  postgres: `"uniqueId" = ANY(CAST(:uniqueIds AS varchar[]))`,
};

/**
 * The named documents' states, locked until the unit of work ends; parameters: the uniqueIds, the
 * UBID. SQLite, left to choose, read the batch's whole range of the tracking index (it holds every
 * column asked for) and checked each entry against the list: 0.35 s for 5000 ids in a batch of
 * 200,000, 0.8 s at 1,000,000. CROSS JOIN fixes its order: the ids outside, a primary-key probe for
 * each (0.03 s). It locks nothing: SQLite's writes take turns. PostgreSQL takes the batch's lock
 * shared and locks the transfer, then the documents in uniqueId order (LockRows above the Sort), as
 * an upload does (batchThenTransfer); a row a move changed while it waited for the batch's lock is
 * locked, and its state read, as the move left it.
 */
const LOCK_STATES: Record<DatabaseEngine, string> = {
  sqlite: `SELECT d."uniqueId", d."state" FROM json_each(?) AS ids CROSS JOIN "sms_documents" AS d ON d."UBID" = ? AND d."uniqueId" = ids."value"`,
  postgres: `${batchThenTransfer('$2')}SELECT "uniqueId", "state" FROM "sms_documents" WHERE "uniqueId" = ANY($1::varchar[]) AND "UBID" = $2
  AND ${TRANSFER_LOCKED} ORDER BY "uniqueId" FOR NO KEY UPDATE`,
};

/**
 * The bytes of a document's data as stored, without reading the data. SQLite: octet_length() of a
 * column is read from the record's header, not from the value's pages (3 ms for 1000 documents of
 * 64 KiB, 40 ms with length()). PostgreSQL: the JSON text's length; that does read (and unpack) the
 * value, 20 ms for 1000 such documents, which is why an export sizes only about twice the rows its
 * last page took (SmsDocumentService).
 */
const DATA_BYTES: Record<DatabaseEngine, string> = {
  sqlite: 'octet_length("document"."data")',
  postgres: 'octet_length(CAST("document"."data" AS text))',
};

/**
 * The move of a whole batch's documents that are in one of `before` (the states' constants,
 * quoted) to a state, timed now, as one UPDATE; parameters: the UBID, the state. SQLite runs one
 * write at a time. PostgreSQL runs it holding the batch's lock alone (MOVE_BATCH_LOCK), so no other
 * writer of the batch's documents holds or waits for one of its rows, and the rows may be locked in
 * the order the UPDATE reads them; the transfer first all the same, for a delete or a purge
 * (transferFirst).
 */
const MOVE_BATCH: Record<DatabaseEngine, (before: string) => string> = {
  sqlite: (before) => `UPDATE "sms_documents" SET "state" = ?2, "when" = ${NOW.sqlite} WHERE "UBID" = ?1 AND "state" IN (${before})`,
  postgres: (before) => `${transferFirst('$1')}UPDATE "sms_documents" SET "state" = $2, "when" = ${NOW.postgres}
  WHERE "UBID" = $1 AND "state" IN (${before}) AND ${TRANSFER_LOCKED}`,
};

/**
 * PostgreSQL: the batch's lock for a move, alone, and the UPDATE's scan; parameter: the UBID. A
 * statement of its own, so that the UPDATE then runs on a snapshot taken once the uploads and
 * receipts it waited for have committed, and moves the documents they stored too. Before this
 * lock, a move locked its rows in uniqueId order in a SELECT … FOR NO KEY UPDATE, then moved
 * exactly those: every row read and locked twice.
 * No bitmap scan for the rest of the transaction: a bitmap scan never marks the index entries of
 * dead row versions, which every change of a document leaves in the tracking index, so each move
 * read them all again: 299,946 entries for 3,952 rows of a batch under the contention benchmark,
 * 154 ms. An index scan marks them as it goes, and the next move skips them: 3,952 entries, 45 ms.
 */
const MOVE_BATCH_LOCK = `SELECT ${batchLock('$1', 'exclusive')}, set_config('enable_bitmapscan', 'off', true)`;

/** A listing's columns: everything but the data, which can be large. */
const LIST_ITEM_COLUMNS: FindOptionsSelect<SmsDocumentEntity> = {
  uniqueId: true,
  state: true,
  SMScount: true,
  when: true,
  gateway: true,
  messageId: true,
  outcome: true,
  errorCode: true,
  doneAt: true,
};

/** An export's columns: those of the original, without the delivery fields (ExportedSmsDocument). */
const EXPORT_COLUMNS: FindOptionsSelect<SmsDocumentEntity> = {
  UBID: true,
  uniqueId: true,
  state: true,
  SMScount: true,
  when: true,
  data: true,
};

@Injectable()
export class TypeOrmSmsDocumentRepository extends SmsDocumentRepository {
  constructor(private readonly transaction: TransactionContext) {
    super();
  }

  /**
   * One `INSERT … SELECT … ON CONFLICT DO UPDATE` statement whatever the number of documents,
   * written as SQL rather than built by TypeORM: `repository.upsert()` fails at 1000 rows and
   * cannot reset state and time on conflict, and the query builder is several times slower.
   */
  async upsertMany({ UBID, json, messageIds }: DocumentBatch): Promise<number> {
    const { manager } = this.transaction;
    const engine = engineOf(manager);
    const documents = DOCUMENTS_PARAMETER[engine](json);
    const upsert = (messageIds.length > 0 ? UPSERT_NAMING_IDS : UPSERT_NAMING_NO_IDS)[engine];
    const result = await refusedAsIntegrityError(() => manager.queryRunner!.query(upsert, [UBID, documents], true));
    return result.affected ?? 0;
  }

  async countByUbid(ubid: string): Promise<number> {
    return this.transaction.manager.countBy(SmsDocumentEntity, { UBID: ubid });
  }

  hasDocuments(ubid: string): Promise<boolean> {
    return this.transaction.manager.existsBy(SmsDocumentEntity, { UBID: ubid });
  }

  /**
   * Only rows behind `state` move, and that condition, not an earlier read, keeps states from going
   * backwards: SQLite runs one write at a time; PostgreSQL holds the batch's lock alone, and checks
   * the condition on the newest version of a row a delete or a purge may have touched meanwhile.
   */
  async updateStateByUbid(ubid: string, state: TrackingState): Promise<number> {
    const before = statesBefore(state);
    if (before.length === 0) return 0;
    const { manager } = this.transaction;
    const engine = engineOf(manager);
    if (engine === 'postgres') await manager.query(MOVE_BATCH_LOCK, [ubid]);
    const inBefore = before.map((from) => `'${from}'`).join(', ');
    const result = await manager.queryRunner!.query(MOVE_BATCH[engine](inBefore), [ubid, state], true);
    return result.affected ?? 0;
  }

  /** The named rows are the caller's, locked by lockStates: this UPDATE waits for no other write. */
  async updateStates(ubid: string, uniqueIds: string[], state: TrackingState): Promise<number> {
    const before = statesBefore(state);
    if (before.length === 0) return 0;
    const { manager } = this.transaction;
    const engine = engineOf(manager);
    const result = await manager
      .createQueryBuilder()
      .update(SmsDocumentEntity)
      .set({ state, when: () => NOW[engine] })
      .where({ UBID: ubid, state: In(before) })
      .andWhere(AMONG_UNIQUE_IDS[engine], { uniqueIds: UNIQUE_IDS_PARAMETER[engine](uniqueIds) })
      .execute();
    return result.affected ?? 0;
  }

  async countStates(ubid: string): Promise<SmsDocumentStateCounts> {
    const { manager } = this.transaction;
    const rows: { state: TrackingState; count: number; lastChange: unknown }[] = await manager
      .createQueryBuilder(SmsDocumentEntity, 'document')
      .select('document.state', 'state')
      .addSelect('CAST(COUNT(*) AS INTEGER)', 'count')
      .addSelect('MAX(document.when)', 'lastChange')
      .where({ UBID: ubid })
      .groupBy('document.state')
      .getRawMany();
    // A raw MAX() comes back as the engine gives it (SQLite: UTC text); the driver reads it as it reads the column.
    const when = manager.connection.getMetadata(SmsDocumentEntity).findColumnWithPropertyName('when')!;
    const counts = { [TrackingState.INIT]: 0, [TrackingState.SENT]: 0, [TrackingState.DONE]: 0 };
    for (const row of rows) counts[row.state] = Number(row.count);
    const times = rows.map((row) => (manager.connection.driver.prepareHydratedValue(row.lastChange, when) as Date).getTime());
    const delivery = counts[TrackingState.DONE] > 0 ? await this.countOutcomes(ubid) : undefined;
    return { counts, lastChange: times.length > 0 ? new Date(Math.max(...times)) : null, ...(delivery && { delivery }) };
  }

  /** The DONE documents' outcomes and error codes, through the tracking index's DONE range; undefined when none has an outcome. */
  private async countOutcomes(ubid: string): Promise<SmsDocumentOutcomeCounts | undefined> {
    const rows: { outcome: DeliveryOutcome; errorCode: string | null; count: number | string }[] = await this.transaction.manager
      .createQueryBuilder(SmsDocumentEntity, 'document')
      .select('document.outcome', 'outcome')
      .addSelect('document.errorCode', 'errorCode')
      .addSelect('CAST(COUNT(*) AS INTEGER)', 'count')
      .where({ UBID: ubid, state: TrackingState.DONE })
      .andWhere('document.outcome IS NOT NULL')
      .groupBy('document.outcome')
      .addGroupBy('document.errorCode')
      .getRawMany();
    if (rows.length === 0) return undefined;
    const outcomes = Object.fromEntries(Object.values(DeliveryOutcome).map((outcome) => [outcome, 0])) as Record<DeliveryOutcome, number>;
    // A Map, as an error code is the gateway's text: '__proto__' is a code like any other.
    const errorCodes = new Map<string, number>();
    for (const { outcome, errorCode, count } of rows) {
      outcomes[outcome] += Number(count);
      if (errorCode !== null) errorCodes.set(errorCode, (errorCodes.get(errorCode) ?? 0) + Number(count));
    }
    return { outcomes, errorCodes: Object.fromEntries(errorCodes) };
  }

  findPage(ubid: string, query: SmsDocumentPageQuery): Promise<SmsDocumentPage> {
    return this.findKeysetPage(
      ubid,
      query,
      LIST_ITEM_COLUMNS,
      ({ UBID: _ubid, data: _data, transfer: _transfer, ...item }): SmsDocumentListItem => item,
    );
  }

  /**
   * Two reads: the sizes of up to `limit` documents (and one more, to tell whether there is a next
   * page), then the data of those that fit in `maxBytes`. Each is a snapshot of its own: a document
   * added in between within the range ends the page early (`take`), and the next page starts after
   * what was read; one re-uploaded in between counts with its earlier size.
   */
  async findPageWithData(
    ubid: string,
    { state, limit, after, maxBytes }: SmsDocumentExportPageQuery,
  ): Promise<KeysetPage<ExportedSmsDocument>> {
    const { manager } = this.transaction;
    const sizes: { uniqueId: string; bytes: number | string }[] = await manager
      .createQueryBuilder(SmsDocumentEntity, 'document')
      .select('document.uniqueId', 'uniqueId')
      .addSelect(DATA_BYTES[engineOf(manager)], 'bytes')
      .where(keysetRange(ubid, state, after))
      .orderBy('document.uniqueId', 'ASC')
      .limit(limit + 1)
      .getRawMany();
    if (sizes.length === 0) return { items: [], next: null };
    const fitting = documentsWithin(
      sizes.slice(0, limit).map(({ bytes }) => Number(bytes)),
      maxBytes,
    );
    const last = sizes[fitting - 1].uniqueId;
    const items: ExportedSmsDocument[] = await manager.find(SmsDocumentEntity, {
      select: EXPORT_COLUMNS,
      where: keysetRange(ubid, state, after, last),
      order: { uniqueId: 'ASC' },
      take: fitting,
    });
    const end = items.length === fitting ? items[fitting - 1].uniqueId : last;
    return { items, next: end !== last || sizes.length > fitting ? end : null };
  }

  /** A seek in the primary key (UBID, uniqueId), then `limit` rows, however deep the page. */
  private async findKeysetPage<T extends { uniqueId: string }>(
    ubid: string,
    { state, limit, after }: SmsDocumentPageQuery,
    select: FindOptionsSelect<SmsDocumentEntity>,
    toItem: (row: SmsDocumentEntity) => T,
  ): Promise<KeysetPage<T>> {
    // One row more than asked tells whether there is a next page without a second query.
    const rows = await this.transaction.manager.find(SmsDocumentEntity, {
      select,
      where: keysetRange(ubid, state, after),
      order: { uniqueId: 'ASC' },
      take: limit + 1,
    });
    const items = rows.slice(0, limit).map(toItem);
    return { items, next: rows.length > limit ? items[items.length - 1].uniqueId : null };
  }

  findOne(ubid: string, uniqueId: string): Promise<SmsDocument | null> {
    return this.transaction.manager.findOneBy(SmsDocumentEntity, { UBID: ubid, uniqueId });
  }

  async lockStates(ubid: string, uniqueIds: string[]): Promise<Map<string, TrackingState>> {
    const { manager } = this.transaction;
    const engine = engineOf(manager);
    const rows: { uniqueId: string; state: TrackingState }[] = await manager.query(LOCK_STATES[engine], [
      UNIQUE_IDS_PARAMETER[engine](uniqueIds),
      ubid,
    ]);
    return new Map(rows.map((row) => [row.uniqueId, row.state]));
  }
}

/** A batch's documents (in `state`) after `after` and up to `upTo`, either bound left out when undefined. */
function keysetRange(ubid: string, state?: TrackingState, after?: string, upTo?: string): FindOptionsWhere<SmsDocumentEntity> {
  const bounds = [after === undefined ? [] : [MoreThan(after)], upTo === undefined ? [] : [LessThanOrEqual(upTo)]].flat();
  const uniqueId: FindOperator<string> | undefined = bounds.length > 1 ? And(...bounds) : bounds[0];
  return { UBID: ubid, ...(state && { state }), ...(uniqueId && { uniqueId }) };
}

/** How many of the first documents, of these sizes in order, fit in `maxBytes`: at least one, so that any document can be exported. */
function documentsWithin(sizes: number[], maxBytes: number): number {
  let total = 0;
  let count = 0;
  while (count < sizes.length && (count === 0 || total + sizes[count] <= maxBytes)) {
    total += sizes[count];
    count += 1;
  }
  return count;
}
