import { QueryRunner } from 'typeorm';

import { untilWaitingForLock } from '../../../test/helpers/lock-waits';
import {
  describeEachDatabase,
  describeOnPostgres,
  openTestDatabase,
  TEST_DATABASES,
  TestDatabase,
} from '../../../test/helpers/test-database';
import { loadConfig } from '../../core/config/app-config';
import { TypeOrmUnitOfWork } from '../../core/database/typeorm-unit-of-work';
import { DomainError } from '../../core/errors/domain-error';
import { RETRY_AFTER_SECONDS } from '../../core/errors/http-exception.filter';
import { Metrics } from '../../core/metrics/metrics';
import { TypeOrmSmsTransferRepository } from '../../sms-transfer/typeorm-sms-transfer.repository';
import { DeliveryOutcome, GatewayReceipt, IntermediateStatus, ReceiptStatus } from '../../tracking/gateway-receipt';
import { TrackingState } from '../../tracking/tracking-state';
import { toDocumentBatch } from '../domain/document-batch';
import { SmsDocumentService } from '../sms-document.service';
import { TypeOrmSmsDocumentRepository } from '../typeorm-sms-document.repository';
import { ReceiptsService } from './receipts.service';
import { bucketOf, MESSAGE_IDS, TypeOrmReceiptRepository } from './typeorm-receipt.repository';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const OTHER_UBID = '11111111-1111-4111-8111-111111111111';
const DONE_AT = new Date('2024-04-17T09:14:00.000Z');

const receipt = (messageId: string, status: ReceiptStatus, extra: Partial<GatewayReceipt> = {}): GatewayReceipt => ({
  gateway: 'jasmin',
  messageId,
  status,
  errorCode: null,
  doneAt: null,
  ...extra,
});

/** The receipts' rules on real databases: the SQL of the ids, the locks and the pending receipts is most of what they are. */
describeEachDatabase(TEST_DATABASES, 'ReceiptsService on %s', (kind) => {
  let db: TestDatabase;
  let metrics: Metrics;
  let service: ReceiptsService;
  let documents: TypeOrmSmsDocumentRepository;

  const make = (env: Record<string, string> = {}) =>
    new ReceiptsService(
      new TypeOrmReceiptRepository(db.context),
      documents,
      new TypeOrmSmsTransferRepository(db.context),
      db.unitOfWork,
      metrics,
      loadConfig(env),
    );
  const upload = (ubid: string, ...uniqueIds: string[]) =>
    db.unitOfWork.write(() =>
      documents.upsertMany(
        toDocumentBatch(
          ubid,
          uniqueIds.map((uniqueId) => ({ uniqueId, SMScount: 1, data: {} })),
        ),
      ),
    );
  const document = (ubid: string, uniqueId: string) => db.unitOfWork.read(() => documents.findOne(ubid, uniqueId));
  const delivery = async (ubid: string, uniqueId: string) => {
    const { state, gateway, messageId, outcome, errorCode, doneAt } = (await document(ubid, uniqueId))!;
    return { state, gateway, messageId, outcome, errorCode, doneAt };
  };
  const pendingRows = () =>
    db.sql<{ messageId: string; status: string }>(`SELECT "messageId", "status" FROM "pending_receipts" ORDER BY "id"`);

  beforeEach(async () => {
    db = await openTestDatabase(kind);
    metrics = new Metrics(false);
    documents = new TypeOrmSmsDocumentRepository(db.context);
    const transfers = new TypeOrmSmsTransferRepository(db.context);
    for (const ubid of [UBID, OTHER_UBID]) {
      await db.unitOfWork.write(() => transfers.upsert({ UBID: ubid, fileName: 'f', origName: 'o', documents: 3, SMScount: 3 }));
    }
    await upload(UBID, '0000000001', '0000000002', '0000000003');
    service = make();
  });
  afterEach(() => db.close());

  describe('submit', () => {
    it('gives documents their ids and moves INIT ones to SENT; DONE stays DONE; unknown uniqueIds are reported', async () => {
      await db.sql(`UPDATE "sms_documents" SET "state" = 'DONE' WHERE "uniqueId" = '0000000002'`);

      const result = await service.submit(UBID, 'jasmin', [
        { uniqueId: '0000000001', messageId: 'Msg-1' },
        { uniqueId: '0000000002', messageId: 'msg-2' },
        { uniqueId: '0000000009', messageId: 'msg-9' },
      ]);

      expect(result).toEqual({ UBID, gateway: 'jasmin', changed: 2, unchanged: 0, unknown: ['0000000009'], receiptsApplied: 0 });
      expect(await delivery(UBID, '0000000001')).toEqual({
        state: 'SENT',
        gateway: 'jasmin',
        messageId: 'Msg-1',
        outcome: null,
        errorCode: null,
        doneAt: null,
      });
      expect((await delivery(UBID, '0000000002')).state).toBe('DONE');
      expect((await delivery(UBID, '0000000003')).messageId).toBeNull();
    });

    it('counts a document that has its id and is SENT already as unchanged', async () => {
      await service.submit(UBID, 'jasmin', [{ uniqueId: '0000000001', messageId: 'msg-1' }]);

      expect(await service.submit(UBID, 'jasmin', [{ uniqueId: '0000000001', messageId: 'msg-1' }])).toMatchObject({
        changed: 0,
        unchanged: 1,
      });
    });

    it('refuses an id another document of the gateway holds, whatever its case, and changes nothing', async () => {
      await service.submit(UBID, 'jasmin', [{ uniqueId: '0000000002', messageId: 'msg-2' }]);

      const refusal = service.submit(UBID, 'jasmin', [
        { uniqueId: '0000000001', messageId: 'msg-1' },
        { uniqueId: '0000000003', messageId: 'MSG-2' },
      ]);

      await expect(refusal).rejects.toEqual(
        new DomainError(
          'conflict',
          `Message id 'msg-2' of gateway 'jasmin' is held by document '0000000002' of UBID '${UBID}' in table tracking.sms_documents`,
        ),
      );
      expect(await delivery(UBID, '0000000001')).toMatchObject({ state: 'INIT', messageId: null });
      // Another gateway's id may be the same.
      await expect(service.submit(UBID, 'kannel', [{ uniqueId: '0000000003', messageId: 'msg-2' }])).resolves.toMatchObject({ changed: 1 });
    });

    it('refuses one id named for two documents', async () => {
      await expect(
        service.submit(UBID, 'jasmin', [
          { uniqueId: '0000000001', messageId: 'msg-1' },
          { uniqueId: '0000000002', messageId: 'MSG-1' },
        ]),
      ).rejects.toEqual(
        new DomainError('refused', `Message id 'MSG-1' of gateway 'jasmin' is named for two documents, '0000000001' and '0000000002'`),
      );
    });

    if (kind !== 'postgres') {
      // PostgreSQL's planner chooses by table statistics, which a test table does not have.
      it('writes the ids with one primary-key probe per submission on SQLite, not a pass over the batch per document', async () => {
        const before = db.statements.length;
        await service.submit(UBID, 'jasmin', [{ uniqueId: '0000000001', messageId: 'msg-1' }]);
        const [{ query, parameters }] = db.statements.slice(before).filter((statement) => statement.query.startsWith('UPDATE'));

        const steps = await db.sql<{ detail: string }>(`EXPLAIN QUERY PLAN ${query}`, parameters);

        expect(steps.map((step) => step.detail)).toEqual([
          'SCAN s VIRTUAL TABLE INDEX 1:',
          'SEARCH sms_documents USING INDEX sqlite_autoindex_sms_documents_1 (UBID=? AND uniqueId=?)',
        ]);
      });
    }

    it('answers not found for an unknown batch', async () => {
      await expect(
        service.submit('22222222-2222-4222-8222-222222222222', 'jasmin', [{ uniqueId: 'a', messageId: 'm' }]),
      ).rejects.toMatchObject({
        kind: 'not-found',
      });
    });
  });

  describe('record', () => {
    beforeEach(async () => {
      await service.submit(UBID, 'jasmin', [
        { uniqueId: '0000000001', messageId: 'msg-1' },
        { uniqueId: '0000000002', messageId: 'msg-2' },
      ]);
      await upload(OTHER_UBID, '0000000001');
      await service.submit(OTHER_UBID, 'jasmin', [{ uniqueId: '0000000001', messageId: 'other-1' }]);
    });

    it('applies a final outcome once, whatever the case of the id; later reports change nothing', async () => {
      const results = await service.record([
        receipt('MSG-1', DeliveryOutcome.FAILED, { errorCode: '011', doneAt: DONE_AT }),
        receipt('msg-1', DeliveryOutcome.DELIVERED),
        receipt('msg-1', IntermediateStatus.ENROUTE),
        receipt('other-1', DeliveryOutcome.DELIVERED),
      ]);

      expect(results).toEqual(['applied', 'unchanged', 'unchanged', 'applied']);
      expect(await delivery(UBID, '0000000001')).toEqual({
        state: 'DONE',
        gateway: 'jasmin',
        messageId: 'msg-1',
        outcome: 'failed',
        errorCode: '011',
        doneAt: DONE_AT,
      });
      expect((await delivery(OTHER_UBID, '0000000001')).outcome).toBe('delivered');
      expect(await metrics.registry.getSingleMetricAsString('tracking_gateway_receipts_total')).toContain('result="unchanged"} 2');
    });

    it('times an outcome now when the receipt gives no time', async () => {
      const before = Date.now();
      await service.record([receipt('msg-2', DeliveryOutcome.EXPIRED)]);

      expect((await delivery(UBID, '0000000002')).doneAt!.getTime()).toBeGreaterThanOrEqual(before - 1);
    });

    it('keeps a receipt whose id no document has, and applies it when a submission names the id', async () => {
      expect(await service.record([receipt('msg-3', IntermediateStatus.ACCEPTED), receipt('Msg-3', DeliveryOutcome.DELIVERED)])).toEqual([
        'pending',
        'pending',
      ]);
      expect(await pendingRows()).toEqual([
        { messageId: 'msg-3', status: 'accepted' },
        { messageId: 'Msg-3', status: 'delivered' },
      ]);
      expect(service.pending).toBe(2);

      const submitted = await service.submit(UBID, 'jasmin', [{ uniqueId: '0000000003', messageId: 'MSG-3' }]);

      expect(submitted.receiptsApplied).toBe(2);
      expect(await delivery(UBID, '0000000003')).toMatchObject({ state: 'DONE', messageId: 'MSG-3', outcome: 'delivered' });
      expect(await pendingRows()).toEqual([]);
      expect(service.pending).toBe(0);
    });

    it("applies the receipts kept for an id when an upload names it, in the upload's transaction", async () => {
      await service.record([
        receipt('msg-3', IntermediateStatus.ACCEPTED),
        receipt('Msg-3', DeliveryOutcome.DELIVERED, { doneAt: DONE_AT }),
      ]);
      const batch = toDocumentBatch(UBID, [{ uniqueId: '0000000003', SMScount: 1, data: {}, gateway: 'jasmin', messageId: 'MSG-3' }]);

      await expect(service.withMessageIds(UBID, batch.messageIds, () => documents.upsertMany(batch))).resolves.toBe(1);

      expect(await delivery(UBID, '0000000003')).toEqual({
        state: 'DONE',
        gateway: 'jasmin',
        messageId: 'MSG-3',
        outcome: 'delivered',
        errorCode: null,
        doneAt: DONE_AT,
      });
      expect(await pendingRows()).toEqual([]);
      expect(service.pending).toBe(0);
      expect((await metrics.pendingReceiptsApplied.get()).values[0].value).toBe(2);
    });

    it('refuses an upload of an id another document holds with a 409, writing nothing and applying nothing', async () => {
      await service.record([receipt('msg-4', DeliveryOutcome.DELIVERED)]);
      const batch = toDocumentBatch(UBID, [
        { uniqueId: '0000000002', SMScount: 7, data: {}, gateway: 'jasmin', messageId: 'msg-4' },
        { uniqueId: '0000000003', SMScount: 7, data: {}, gateway: 'jasmin', messageId: 'OTHER-1' },
      ]);
      const write = jest.fn(() => documents.upsertMany(batch));

      const refusal = service.withMessageIds(UBID, batch.messageIds, write);

      await expect(refusal).rejects.toBeInstanceOf(DomainError);
      await expect(refusal).rejects.toMatchObject({
        kind: 'conflict',
        detail: `Message id 'other-1' of gateway 'jasmin' is held by document '0000000001' of UBID '${OTHER_UBID}' in table tracking.sms_documents`,
      });
      expect(write).not.toHaveBeenCalled();
      expect(await delivery(UBID, '0000000002')).toMatchObject({ messageId: 'msg-2', outcome: null });
      expect(await pendingRows()).toEqual([{ messageId: 'msg-4', status: 'delivered' }]);
    });

    it('refuses receipts beyond PENDING_RECEIPTS_MAX as a whole, writing none of them', async () => {
      const bounded = make({ PENDING_RECEIPTS_MAX: '1' });
      await bounded.record([receipt('msg-8', DeliveryOutcome.DELIVERED)]);

      const refusal = bounded.record([receipt('msg-1', DeliveryOutcome.DELIVERED), receipt('msg-9', DeliveryOutcome.DELIVERED)]);

      await expect(refusal).rejects.toEqual(
        new DomainError(
          'unavailable',
          'The service is busy: 1 receipt(s) wait for their message id, as many as PENDING_RECEIPTS_MAX allows. Retry later.',
          RETRY_AFTER_SECONDS,
        ),
      );
      expect((await delivery(UBID, '0000000001')).state).toBe('SENT');
      expect(await pendingRows()).toEqual([{ messageId: 'msg-8', status: 'delivered' }]);
    });

    // A COUNT(*) of the table on each receipt took most of a receipt's time near a million pending rows on PostgreSQL.
    it('bounds the pending receipts by its own count, without counting the table: those another instance keeps count from its next count', async () => {
      const bounded = make({ PENDING_RECEIPTS_MAX: '2' });
      await make().record([receipt('msg-7', DeliveryOutcome.DELIVERED)]);
      const before = db.queries.length;

      expect(await bounded.record([receipt('msg-8', DeliveryOutcome.DELIVERED)])).toEqual(['pending']);

      expect(db.queries.slice(before).filter((query) => /COUNT\(.*"pending_receipts"/s.test(query))).toEqual([]);
      expect(bounded.pending).toBe(1);
      await bounded.countPending();
      await expect(bounded.record([receipt('msg-9', DeliveryOutcome.DELIVERED)])).rejects.toMatchObject({ kind: 'unavailable' });
      expect(await pendingRows()).toEqual([
        { messageId: 'msg-7', status: 'delivered' },
        { messageId: 'msg-8', status: 'delivered' },
      ]);
    });

    it('drops the pending receipts older than PENDING_RECEIPTS_HOURS, and counts those left', async () => {
      await service.record([receipt('old', DeliveryOutcome.DELIVERED), receipt('new', DeliveryOutcome.DELIVERED)]);
      await db.sql(`UPDATE "pending_receipts" SET "receivedAt" = '2024-04-16 09:00:00' WHERE "messageId" = 'old'`);

      expect(await service.expirePending(new Date('2024-04-17T09:30:00.000Z'))).toBe(1);

      expect(await pendingRows()).toEqual([{ messageId: 'new', status: 'delivered' }]);
      expect(service.pending).toBe(1);
    });
  });
});

/**
 * Receipts by message id that meet other writes of the same documents on PostgreSQL, each write
 * stopped where they meet by a row, table or advisory lock a third transaction holds (the order
 * of docs/database.md#lock-order and docs/receipts.md#transactions-and-locks). Every one must
 * finish answered, without a deadlock or a retry. On SQLite they cannot meet: writes take turns.
 */
describeOnPostgres('ReceiptsService on PostgreSQL: receipts that meet other writes', () => {
  /** Pieces of the statements each write waits in. */
  const RECEIPT_DOCUMENTS = 'AND d."UBID" = ANY($3::bpchar[])';
  const RECEIPT_PENDING = 'INSERT INTO "pending_receipts"';
  const MESSAGE_ID_LOCKS = `pg_advisory_xact_lock(${MESSAGE_IDS}`;
  const BATCH_LOCK_ALONE = 'SELECT pg_advisory_xact_lock(';
  const UPLOAD = 'INSERT INTO "sms_documents"';
  const SUBMISSION_DOCUMENTS = 'SELECT "uniqueId", "state"';
  const uniqueIds = Array.from({ length: 10 }, (_, index) => `d${index}`);
  let db: TestDatabase;
  let metrics: Metrics;
  let receipts: ReceiptsService;
  let documents: SmsDocumentService;
  let holder: QueryRunner;

  const deliveries = async () =>
    (
      await db.sql<{ uniqueId: string; state: string; messageId: string | null; outcome: string | null }>(
        `SELECT "uniqueId", "state", "messageId", "outcome" FROM "sms_documents" WHERE "UBID" = ? ORDER BY "uniqueId"`,
        [UBID],
      )
    ).map(({ uniqueId, state, messageId, outcome }) => `${uniqueId}:${state}:${messageId}:${outcome}`);
  /** The third transaction: it runs `sql` and holds what it locked until the test commits it. */
  const hold = async (sql: string, parameters?: unknown[]) => {
    await holder.startTransaction();
    await holder.query(sql, parameters);
  };
  const holdDocument = (uniqueId: string) =>
    hold(`SELECT 1 FROM "sms_documents" WHERE "UBID" = $1 AND "uniqueId" = $2 FOR UPDATE`, [UBID, uniqueId]);
  const upload = (...named: string[]) =>
    documents.upsert(
      toDocumentBatch(
        UBID,
        named.map((uniqueId) => ({ uniqueId, SMScount: 1, data: {} })),
      ),
    );
  const delivered = (...messageIds: string[]) => messageIds.map((messageId) => receipt(messageId, DeliveryOutcome.DELIVERED));
  const expectNoRetry = async () => expect(await metrics.writeRetries.get()).toMatchObject({ values: [] });

  // d0 to d9 SENT with the ids m0 to m9 (d10 uploaded, without an id, where a test needs it).
  beforeEach(async () => {
    db = await openTestDatabase('postgres');
    metrics = new Metrics(false);
    // A unit of work that counts its retries: none of these writes may need one.
    const unitOfWork = new TypeOrmUnitOfWork(db.dataSource, db.context, null, metrics);
    const transfers = new TypeOrmSmsTransferRepository(db.context);
    const documentRepository = new TypeOrmSmsDocumentRepository(db.context);
    receipts = new ReceiptsService(
      new TypeOrmReceiptRepository(db.context),
      documentRepository,
      transfers,
      unitOfWork,
      metrics,
      loadConfig({}),
    );
    documents = new SmsDocumentService(documentRepository, transfers, receipts, unitOfWork, metrics);
    await db.unitOfWork.write(() => transfers.upsert({ UBID, fileName: 'f', origName: 'o', documents: 11, SMScount: 11 }));
    await upload(...uniqueIds);
    await receipts.submit(
      UBID,
      'jasmin',
      uniqueIds.map((uniqueId, index) => ({ uniqueId, messageId: `m${index}` })),
    );
    holder = db.dataSource.createQueryRunner();
  });
  afterEach(async () => {
    if (holder.isTransactionActive) await holder.rollbackTransaction();
    await holder.release();
    await db.close();
  });

  // The receipt holds the batch's lock shared and d2, and waits for d7. The move asks for the
  // batch's lock alone, holding nothing yet. Had the receipt locked its documents before the batch,
  // the move would hold the batch and wait for d2 while the receipt, past d7, waited for the batch.
  it('finishes a receipt and a move of the whole batch that meet: the receipt first, the move then moves the rest', async () => {
    await holdDocument('d7');
    const receipt = receipts.record(delivered('m8', 'm7', 'm2'));
    await untilWaitingForLock(db, RECEIPT_DOCUMENTS);
    const move = documents.updateState(UBID, TrackingState.DONE);
    await untilWaitingForLock(db, BATCH_LOCK_ALONE);

    await holder.commitTransaction();

    await expect(receipt).resolves.toEqual(['applied', 'applied', 'applied']);
    await expect(move).resolves.toBe(7);
    expect(await deliveries()).toEqual(
      uniqueIds.map((uniqueId, index) => `${uniqueId}:DONE:m${index}:${['d2', 'd7', 'd8'].includes(uniqueId) ? 'delivered' : null}`),
    );
    await expectNoRetry();
  });

  // The upload shares the batch's lock with the receipt and writes in uniqueId order: it waits for
  // d2, which the receipt holds. Had the receipt locked its documents in another order (d8 first),
  // it would hold d8 and wait for d6 while the upload, holding d2, waited for d8... and the receipt
  // then for d2.
  // The upload names no ids, so it also clears theirs (a re-upload's ids are what it names).
  it('finishes a receipt and an upload of the same documents that meet: the receipt first, then the upload resets them', async () => {
    await holdDocument('d6');
    const receipt = receipts.record(delivered('m8', 'm6', 'm2'));
    await untilWaitingForLock(db, RECEIPT_DOCUMENTS);
    const reupload = upload('d8', 'd6', 'd2');
    await untilWaitingForLock(db, UPLOAD);

    await holder.commitTransaction();

    await expect(receipt).resolves.toEqual(['applied', 'applied', 'applied']);
    await expect(reupload).resolves.toBe(3);
    expect(await deliveries()).toEqual(
      uniqueIds.map((uniqueId, index) =>
        ['d2', 'd6', 'd8'].includes(uniqueId) ? `${uniqueId}:INIT:null:null` : `${uniqueId}:SENT:m${index}:null`,
      ),
    );
    await expectNoRetry();
  });

  // A submission and an upload that name an id both take the id's lock before anything else.
  describe.each([
    {
      writer: 'a submission',
      nameM10: () => receipts.submit(UBID, 'jasmin', [{ uniqueId: 'd10', messageId: 'm10' }]),
      waitsFor: SUBMISSION_DOCUMENTS,
      answer: (receiptsApplied: number) => expect.objectContaining({ changed: 1, receiptsApplied }),
    },
    {
      writer: 'an upload',
      nameM10: () =>
        documents.upsert(toDocumentBatch(UBID, [{ uniqueId: 'd10', SMScount: 1, data: {}, gateway: 'jasmin', messageId: 'm10' }])),
      waitsFor: UPLOAD,
      answer: () => 1,
    },
  ])('a receipt and $writer naming the same id', ({ nameM10, waitsFor, answer }) => {
    beforeEach(() => upload('d10'));

    // The writer holds m10's lock and waits for d10; the receipt waits for m10's lock, so it finds
    // d10 with its id once the writer has committed, rather than missing it.
    it('applies the receipt of an id whose writer it waited for', async () => {
      await holdDocument('d10');
      const naming = nameM10();
      await untilWaitingForLock(db, waitsFor);
      const receipt = receipts.record(delivered('M10'));
      await untilWaitingForLock(db, MESSAGE_ID_LOCKS);

      await holder.commitTransaction();

      await expect(naming).resolves.toEqual(answer(0));
      await expect(receipt).resolves.toEqual(['applied']);
      expect(await deliveries()).toContain('d10:DONE:m10:delivered');
      expect(await db.sql(`SELECT * FROM "pending_receipts"`)).toEqual([]);
      await expectNoRetry();
    });

    // The receipt found no document with m10 and keeps itself pending, holding m10's lock; the
    // writer waits for that lock, so it finds the pending receipt once the receipt has committed.
    it('keeps a receipt pending and has the writer it held up apply it', async () => {
      await hold(`LOCK TABLE "pending_receipts" IN SHARE MODE`);
      const receipt = receipts.record(delivered('M10'));
      await untilWaitingForLock(db, RECEIPT_PENDING);
      const naming = nameM10();
      await untilWaitingForLock(db, MESSAGE_ID_LOCKS);

      await holder.commitTransaction();

      await expect(receipt).resolves.toEqual(['pending']);
      await expect(naming).resolves.toEqual(answer(1));
      expect(await deliveries()).toContain('d10:DONE:m10:delivered');
      expect(await db.sql(`SELECT * FROM "pending_receipts"`)).toEqual([]);
      expect(receipts.pending).toBe(0);
      await expectNoRetry();
    });
  });

  // Three ids of three buckets, named by one group in the buckets' order and by the other in the
  // reverse; the third transaction holds the middle bucket. Both take their buckets in one order:
  // the second waits behind the first at the lowest. Taken in the order named, the first would hold
  // the lowest, the second the highest, and each would wait for the other's once the middle is free.
  it('finishes two groups of receipts naming the same ids in opposite orders: the first to ask first', async () => {
    const [low, middle, high] = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8', 'm9']
      .map((messageId) => ({ messageId, bucket: bucketOf({ gateway: 'jasmin', messageId }) }))
      .filter(({ bucket }, index, all) => all.findIndex((other) => other.bucket === bucket) === index)
      .slice(0, 3)
      .sort((a, b) => a.bucket - b.bucket);
    await hold(`SELECT pg_advisory_xact_lock($1, $2)`, [MESSAGE_IDS, middle.bucket]);
    const first = receipts.record(delivered(low.messageId, middle.messageId, high.messageId));
    await untilWaitingForLock(db, MESSAGE_ID_LOCKS);
    const second = receipts.record(
      [high, middle, low].map(({ messageId }) => receipt(messageId, DeliveryOutcome.FAILED, { errorCode: '011' })),
    );
    await untilWaitingForLock(db, MESSAGE_ID_LOCKS, 2);

    await holder.commitTransaction();

    await expect(first).resolves.toEqual(['applied', 'applied', 'applied']);
    await expect(second).resolves.toEqual(['unchanged', 'unchanged', 'unchanged']);
    const named = new Set([low, middle, high].map(({ messageId }) => messageId));
    expect(await deliveries()).toEqual(
      uniqueIds.map(
        (uniqueId, index) =>
          `${uniqueId}:${named.has(`m${index}`) ? 'DONE' : 'SENT'}:m${index}:${named.has(`m${index}`) ? 'delivered' : null}`,
      ),
    );
    await expectNoRetry();
  });
});
