import { describeEachDatabase, openTestDatabase, TEST_DATABASES, TestDatabase } from '../../../test/helpers/test-database';
import { loadConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain-error';
import { RETRY_AFTER_SECONDS } from '../../core/errors/http-exception.filter';
import { Metrics } from '../../core/metrics/metrics';
import { TypeOrmSmsTransferRepository } from '../../sms-transfer/typeorm-sms-transfer.repository';
import { DeliveryOutcome, GatewayReceipt, IntermediateStatus, ReceiptStatus } from '../../tracking/gateway-receipt';
import { toDocumentBatch } from '../domain/document-batch';
import { TypeOrmSmsDocumentRepository } from '../typeorm-sms-document.repository';
import { ReceiptsService } from './receipts.service';
import { TypeOrmReceiptRepository } from './typeorm-receipt.repository';

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

    it('drops the pending receipts older than PENDING_RECEIPTS_HOURS, and counts those left', async () => {
      await service.record([receipt('old', DeliveryOutcome.DELIVERED), receipt('new', DeliveryOutcome.DELIVERED)]);
      await db.sql(`UPDATE "pending_receipts" SET "receivedAt" = '2024-04-16 09:00:00' WHERE "messageId" = 'old'`);

      expect(await service.expirePending(new Date('2024-04-17T09:30:00.000Z'))).toBe(1);

      expect(await pendingRows()).toEqual([{ messageId: 'new', status: 'delivered' }]);
      expect(service.pending).toBe(1);
    });
  });
});
