import { Test } from '@nestjs/testing';
import { QueryRunner } from 'typeorm';

import { untilWaitingForLock } from '../../test/helpers/lock-waits';
import { mockReceiptRepository, mockSmsDocumentRepository, mockSmsTransferRepository, spyingUnitOfWork } from '../../test/helpers/mocks';
import { describeOnPostgres, openTestDatabase, TestDatabase } from '../../test/helpers/test-database';
import { AppConfig, loadConfig } from '../core/config/app-config';
import { IntegrityError } from '../core/database/integrity-error';
import { TypeOrmUnitOfWork } from '../core/database/typeorm-unit-of-work';
import { UnitOfWork } from '../core/database/unit-of-work';
import { DomainError } from '../core/errors/domain-error';
import { Metrics } from '../core/metrics/metrics';
import { SmsTransferRepository } from '../sms-transfer/sms-transfer.repository';
import { SmsTransferService } from '../sms-transfer/sms-transfer.service';
import { TypeOrmSmsTransferRepository } from '../sms-transfer/typeorm-sms-transfer.repository';
import { TrackingState } from '../tracking/tracking-state';
import { toDocumentBatch } from './domain/document-batch';
import { ReceiptRepository } from './receipts/receipt.repository';
import { ReceiptsService } from './receipts/receipts.service';
import { TypeOrmReceiptRepository } from './receipts/typeorm-receipt.repository';
import { SmsDocumentRepository } from './sms-document.repository';
import { SmsDocumentService } from './sms-document.service';
import { TypeOrmSmsDocumentRepository } from './typeorm-sms-document.repository';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
/** Counts in a registry of its own; the specs read what the service counted. */
let metrics = new Metrics(false);
const document = (uniqueId: string, SMScount = 1) => ({ uniqueId, SMScount, data: { uniqueId, SMScount } });

describe('SmsDocumentService', () => {
  let service: SmsDocumentService;
  const repository = mockSmsDocumentRepository();
  const transfers = mockSmsTransferRepository();
  const receipts = mockReceiptRepository();
  let unitOfWork: ReturnType<typeof spyingUnitOfWork>;

  beforeEach(async () => {
    // Reset, not clear: a mock's answer set by one test must not leak into the next, whatever their order.
    jest.resetAllMocks();
    metrics = new Metrics(false);
    unitOfWork = spyingUnitOfWork();
    transfers.findByUbid.mockResolvedValue({ UBID });
    const moduleRef = await Test.createTestingModule({
      providers: [
        SmsDocumentService,
        // The real receipts service: an upload that names message ids follows its rules, on the mocked ports.
        ReceiptsService,
        { provide: AppConfig, useValue: loadConfig({}) },
        { provide: Metrics, useValue: metrics },
        { provide: SmsDocumentRepository, useValue: repository },
        { provide: SmsTransferRepository, useValue: transfers },
        { provide: ReceiptRepository, useValue: receipts },
        { provide: UnitOfWork, useValue: unitOfWork },
      ],
    }).compile();
    service = moduleRef.get(SmsDocumentService);
  });

  describe('upsert', () => {
    it('writes the batch with one statement in its own implicit transaction, and reports its documents', async () => {
      const batch = toDocumentBatch(UBID, [document('a'), document('b'), document('a', 3)]);

      await expect(service.upsert(batch)).resolves.toBe(2);
      expect(unitOfWork.writeSingleStatement).toHaveBeenCalledTimes(1);
      expect(unitOfWork.write).not.toHaveBeenCalled();
      expect(repository.upsertMany).toHaveBeenCalledWith(batch);
      expect((await metrics.documentsUpserted.get()).values[0].value).toBe(2);
      // An upload that names no message id costs no query more than the upsert.
      for (const method of Object.values(receipts)) expect(method).not.toHaveBeenCalled();
    });

    describe('with message ids', () => {
      const named = (uniqueId: string, messageId: string) => ({ ...document(uniqueId), gateway: 'jasmin', messageId });
      /** The repositories' calls in the order made. */
      let calls: string[];
      const holder = (UBID: string, uniqueId: string, messageId: string) => ({
        UBID,
        uniqueId,
        gateway: 'jasmin',
        messageId,
        state: TrackingState.SENT,
        outcome: null,
        errorCode: null,
        doneAt: null,
      });

      /** What each call answers unless a test says otherwise: nothing found, nothing waiting. */
      const recording = (name: string, answer: unknown) =>
        jest.fn(() => {
          calls.push(name);
          return Promise.resolve(answer);
        });

      beforeEach(() => {
        calls = [];
        for (const [name, mock] of Object.entries({ ...receipts, upsertMany: repository.upsertMany })) {
          mock.mockImplementation(recording(name, ['findByMessageIds', 'lockByMessageIds', 'takePending'].includes(name) ? [] : 0));
        }
      });

      it("takes the ids' locks first, then upserts, then applies the receipts waiting for them, all in one unit of work", async () => {
        const batch = toDocumentBatch(UBID, [named('a', 'Msg-A'), document('b'), named('c', 'msg-c')]);
        receipts.takePending.mockImplementation(
          recording('takePending', [{ gateway: 'jasmin', messageId: 'msg-a', status: 'delivered', errorCode: null, doneAt: null }]),
        );
        receipts.lockByMessageIds.mockImplementation(recording('lockByMessageIds', [holder(UBID, 'a', 'Msg-A')]));

        await expect(service.upsert(batch)).resolves.toBe(3);

        expect(calls).toEqual(['lockMessageIds', 'findByMessageIds', 'upsertMany', 'takePending', 'lockByMessageIds', 'writeDeliveries']);
        expect(unitOfWork.write).toHaveBeenCalledTimes(1);
        expect(unitOfWork.writeSingleStatement).not.toHaveBeenCalled();
        const ids = [
          { uniqueId: 'a', gateway: 'jasmin', messageId: 'Msg-A' },
          { uniqueId: 'c', gateway: 'jasmin', messageId: 'msg-c' },
        ];
        expect(receipts.lockMessageIds).toHaveBeenCalledWith(ids);
        expect(receipts.takePending).toHaveBeenCalledWith(ids);
        expect(receipts.writeDeliveries).toHaveBeenCalledWith([
          { UBID, uniqueId: 'a', state: TrackingState.DONE, outcome: 'delivered', errorCode: null, doneAt: expect.any(Date) as Date },
        ]);
        expect(receipts.addPending).not.toHaveBeenCalled();
        expect((await metrics.pendingReceiptsApplied.get()).values[0].value).toBe(1);
      });

      it.each([
        ['a document of another batch', holder('11111111-1111-4111-8111-111111111111', 'a', 'MSG-A')],
        ['another document of the batch', holder(UBID, 'b', 'MSG-A')],
      ])('refuses an id held by %s with a 409, before anything is written', async (_case, held) => {
        receipts.findByMessageIds.mockResolvedValue([held]);

        const failure = service.upsert(toDocumentBatch(UBID, [named('a', 'msg-a')]));

        await expect(failure).rejects.toBeInstanceOf(DomainError);
        await expect(failure).rejects.toMatchObject({
          kind: 'conflict',
          detail: `Message id 'MSG-A' of gateway 'jasmin' is held by document '${held.uniqueId}' of UBID '${held.UBID}' in table tracking.sms_documents`,
        });
        expect(repository.upsertMany).not.toHaveBeenCalled();
        expect(receipts.takePending).not.toHaveBeenCalled();
      });

      it('lets a document keep the id it holds', async () => {
        receipts.findByMessageIds.mockResolvedValue([holder(UBID, 'a', 'MSG-A')]);

        await expect(service.upsert(toDocumentBatch(UBID, [named('a', 'msg-a')]))).resolves.toBe(1);
        expect(repository.upsertMany).toHaveBeenCalledTimes(1);
      });

      it("turns the database's refusal into the original's 422 here too", async () => {
        repository.upsertMany.mockRejectedValue(new IntegrityError('FOREIGN KEY constraint failed'));

        await expect(service.upsert(toDocumentBatch(UBID, [named('a', 'msg-a')]))).rejects.toMatchObject({
          kind: 'refused',
          detail: `Failed Upsert of UBID '${UBID}' document(s) in table tracking.sms_documents => FOREIGN KEY constraint failed`,
        });
        expect(receipts.takePending).not.toHaveBeenCalled();
      });
    });

    it("turns the database's refusal into the original's 422", async () => {
      repository.upsertMany.mockRejectedValue(new IntegrityError('FOREIGN KEY constraint failed'));

      const failure = service.upsert(toDocumentBatch(UBID, [document('a')]));

      await expect(failure).rejects.toBeInstanceOf(DomainError);
      await expect(failure).rejects.toMatchObject({
        kind: 'refused',
        detail: `Failed Upsert of UBID '${UBID}' document(s) in table tracking.sms_documents => FOREIGN KEY constraint failed`,
      });
    });

    it('passes other failures on', async () => {
      repository.upsertMany.mockRejectedValue(new Error('disk full'));

      await expect(service.upsert(toDocumentBatch(UBID, [document('a')]))).rejects.toThrow('disk full');
    });
  });

  it.each([
    ['count', () => service.count(UBID)],
    ['updateState', () => service.updateState(UBID, TrackingState.DONE)],
  ])('%s answers 404 when the batch has no documents', async (_name, call) => {
    repository.countByUbid.mockResolvedValue(0);
    repository.hasDocuments.mockResolvedValue(false);
    repository.updateStateByUbid.mockResolvedValue(0);

    await expect(call()).rejects.toBeInstanceOf(DomainError);
    await expect(call()).rejects.toMatchObject({ kind: 'not-found', detail: `UBID '${UBID}' not found in table tracking.sms_documents` });
  });

  describe('updateState', () => {
    it('counts only the documents that moved, and answers 200 when none had to', async () => {
      repository.updateStateByUbid.mockResolvedValue(0);
      repository.hasDocuments.mockResolvedValue(true);

      await expect(service.updateState(UBID, TrackingState.SENT)).resolves.toBe(0);
      expect(unitOfWork.write).toHaveBeenCalledTimes(1);
    });

    it('does not look for documents when some moved', async () => {
      repository.updateStateByUbid.mockResolvedValue(2);

      await expect(service.updateState(UBID, TrackingState.DONE)).resolves.toBe(2);
      expect(repository.hasDocuments).not.toHaveBeenCalled();
    });
  });

  describe('recordReceipts', () => {
    it('moves the locked documents behind the state and only those, counts the no-ops and lists the unknown uniqueIds once each, in one unit of work', async () => {
      repository.lockStates.mockResolvedValue(
        new Map([
          ['a', TrackingState.INIT],
          ['b', TrackingState.SENT],
          ['c', TrackingState.INIT],
        ]),
      );

      await expect(service.recordReceipts(UBID, TrackingState.SENT, ['a', 'b', 'x', 'c', 'x', 'a'])).resolves.toEqual({
        UBID,
        state: TrackingState.SENT,
        changed: 2,
        unchanged: 1,
        unknown: ['x'],
      });
      expect(repository.lockStates).toHaveBeenCalledWith(UBID, ['a', 'b', 'x', 'c']);
      expect(repository.updateStates.mock.calls).toEqual([[UBID, ['a', 'c'], TrackingState.SENT]]);
      expect(unitOfWork.write).toHaveBeenCalledTimes(1);
      expect((await metrics.receipts.get()).values.map(({ labels, value }) => [labels.state, labels.outcome, value])).toEqual([
        ['SENT', 'changed', 2],
        ['SENT', 'unchanged', 1],
        ['SENT', 'unknown', 1],
      ]);
    });

    it('sends no update when no named document is behind the state', async () => {
      repository.lockStates.mockResolvedValue(new Map([['b', TrackingState.SENT]]));

      await expect(service.recordReceipts(UBID, TrackingState.SENT, ['b', 'x'])).resolves.toEqual({
        UBID,
        state: TrackingState.SENT,
        changed: 0,
        unchanged: 1,
        unknown: ['x'],
      });
      expect(repository.updateStates).not.toHaveBeenCalled();
    });

    it('refuses the whole request with 409, naming the first document that would move back, and writes nothing', async () => {
      repository.lockStates.mockResolvedValue(
        new Map([
          ['a', TrackingState.INIT],
          ['b', TrackingState.DONE],
          ['c', TrackingState.DONE],
        ]),
      );

      const failure = service.recordReceipts(UBID, TrackingState.SENT, ['a', 'b', 'c']);

      await expect(failure).rejects.toBeInstanceOf(DomainError);
      await expect(failure).rejects.toMatchObject({
        kind: 'conflict',
        detail: `Cannot move document 'b' of UBID '${UBID}' from 'DONE' back to 'SENT' in table tracking.sms_documents`,
      });
      expect(repository.updateStates).not.toHaveBeenCalled();
    });
  });

  it('summarize adds the states up to the total', async () => {
    const lastChange = new Date('2024-04-17T09:12:05.000Z');
    repository.countStates.mockResolvedValue({ counts: { INIT: 4, SENT: 1, DONE: 5 }, lastChange });

    await expect(service.summarize(UBID)).resolves.toEqual({ UBID, total: 10, INIT: 4, SENT: 1, DONE: 5, lastChange });
  });

  it('findSummary answers null for an unknown UBID, without reading documents', async () => {
    transfers.findByUbid.mockResolvedValue(null);

    await expect(service.findSummary(UBID)).resolves.toBeNull();
    expect(repository.countStates).not.toHaveBeenCalled();
  });

  it.each([
    ['summarize', () => service.summarize(UBID), repository.countStates],
    ['recordReceipts', () => service.recordReceipts(UBID, TrackingState.DONE, ['a']), repository.lockStates],
    ['list', () => service.list(UBID, { limit: 10 }), repository.findPage],
  ])("%s answers the transfers' 404 for an unknown UBID, without reading documents", async (_name, call, repositoryMethod) => {
    transfers.findByUbid.mockResolvedValue(null);

    await expect(call()).rejects.toMatchObject({
      kind: 'not-found',
      detail: `UBID '${UBID}' is not found in table tracking.sms_transfers`,
    });
    expect(repositoryMethod).not.toHaveBeenCalled();
  });

  it('get answers 404 naming the document', async () => {
    repository.findOne.mockResolvedValue(null);

    await expect(service.get(UBID, 'a/b')).rejects.toMatchObject({
      kind: 'not-found',
      detail: `Document 'a/b' of UBID '${UBID}' not found in table tracking.sms_documents`,
    });
  });

  it.each([
    ['count', () => service.count(UBID), 'read'],
    ['summarize', () => service.summarize(UBID), 'read'],
    ['list', () => service.list(UBID, { limit: 10 }), 'read'],
    ['get', () => service.get(UBID, 'a'), 'read'],
    ['updateState', () => service.updateState(UBID, TrackingState.SENT), 'write'],
    ['recordReceipts', () => service.recordReceipts(UBID, TrackingState.SENT, ['a']), 'write'],
  ] as const)('%s runs as one %s unit of work', async (_name, call, kind) => {
    repository.countByUbid.mockResolvedValue(1);
    repository.hasDocuments.mockResolvedValue(true);
    repository.countStates.mockResolvedValue({ counts: { INIT: 1, SENT: 0, DONE: 0 }, lastChange: null });
    repository.findPage.mockResolvedValue({ items: [], next: null });
    repository.findOne.mockResolvedValue(document('a'));
    repository.updateStateByUbid.mockResolvedValue(1);
    repository.lockStates.mockResolvedValue(new Map([['a', TrackingState.INIT]]));
    repository.updateStates.mockResolvedValue(1);

    await call();

    expect(unitOfWork[kind]).toHaveBeenCalledTimes(1);
    expect(unitOfWork[kind === 'read' ? 'write' : 'read']).not.toHaveBeenCalled();
    expect(unitOfWork.writeSingleStatement).not.toHaveBeenCalled();
  });

  describe('export', () => {
    const when = new Date('2024-04-17T09:12:05.000Z');
    const stored = (uniqueId: string) => ({ UBID, uniqueId, state: TrackingState.SENT, SMScount: 1, when, data: { uniqueId } });
    const text = async (chunks: AsyncIterable<string>) => {
      let all = '';
      for await (const chunk of chunks) all += chunk;
      return all;
    };

    it('answers the 404 before reading any document', async () => {
      transfers.findByUbid.mockResolvedValue(null);

      await expect(service.export(UBID, { format: 'ndjson' })).rejects.toMatchObject({
        kind: 'not-found',
        detail: `UBID '${UBID}' is not found in table tracking.sms_transfers`,
      });
      expect(repository.findPageWithData).not.toHaveBeenCalled();
    });

    it('reads the pages only as the text is consumed, each in a read of its own, following next', async () => {
      repository.findPageWithData
        .mockResolvedValueOnce({ items: [stored('a'), stored('b')], next: 'b' })
        .mockResolvedValueOnce({ items: [stored('c')], next: null });

      const exported = await service.export(UBID, { state: TrackingState.SENT, format: 'csv' });
      expect(exported).toMatchObject({ contentType: 'text/csv; charset=utf-8; header=present', fileName: `${UBID}.csv` });
      expect(repository.findPageWithData).not.toHaveBeenCalled();

      const lines = (await text(exported.chunks)).split('\r\n');
      expect(lines.slice(1, 4).map((line) => line.split(',')[1])).toEqual(['a', 'b', 'c']);
      expect(repository.findPageWithData.mock.calls).toEqual([
        [UBID, { state: TrackingState.SENT, limit: 1000, after: undefined, maxBytes: 1024 * 1024 }],
        [UBID, { state: TrackingState.SENT, limit: 4, after: 'b', maxBytes: 1024 * 1024 }],
      ]);
      expect(unitOfWork.read).toHaveBeenCalledTimes(3);
      expect(unitOfWork.write).not.toHaveBeenCalled();
    });

    it('sizes twice as many documents as the last page took, up to 1000: pages of big documents, then of small ones', async () => {
      const page = (from: number, count: number, last = false) => ({
        items: Array.from({ length: count }, (_, index) => stored(String(from + index).padStart(4, '0'))),
        next: last ? null : String(from + count - 1).padStart(4, '0'),
      });
      repository.findPageWithData
        .mockResolvedValueOnce(page(0, 16))
        .mockResolvedValueOnce(page(16, 20))
        .mockResolvedValueOnce(page(36, 40))
        .mockResolvedValueOnce(page(76, 80))
        .mockResolvedValueOnce(page(156, 160))
        .mockResolvedValueOnce(page(316, 320))
        .mockResolvedValueOnce(page(636, 640))
        .mockResolvedValueOnce(page(1276, 1000))
        .mockResolvedValueOnce(page(2276, 0, true));

      const lines = (await text((await service.export(UBID, { format: 'ndjson' })).chunks)).trimEnd().split('\n');

      expect(lines).toHaveLength(2276);
      expect(
        repository.findPageWithData.mock.calls.map(([, { limit, maxBytes }]: [string, { limit: number; maxBytes: number }]) => [
          limit,
          maxBytes,
        ]),
      ).toEqual([1000, 32, 40, 80, 160, 320, 640, 1000, 1000].map((limit) => [limit, 1024 * 1024]));
    });

    it('reads no further page once the consumer stops', async () => {
      repository.findPageWithData.mockImplementation(async (_ubid, { after }: { after?: string }) => ({
        items: [stored(`${after ?? ''}x`)],
        next: `${after ?? ''}x`,
      }));
      const { chunks } = await service.export(UBID, { format: 'ndjson' });

      for await (const chunk of chunks) {
        expect(JSON.parse(chunk)).toMatchObject({ uniqueId: 'x' });
        break;
      }
      expect(repository.findPageWithData).toHaveBeenCalledTimes(1);
    });
  });
});

/** A point the code under test reaches and waits at until the test lets it go on. */
interface Pause {
  reached: Promise<void>;
  release(): void;
}

/**
 * The real repository, paused after one of its methods has run (its statement done, its
 * transaction still open) until the test releases it: a subclass rather than a mock, so that
 * every statement is the real one and only the moment is the test's.
 */
class PausingDocumentRepository extends TypeOrmSmsDocumentRepository {
  private readonly pauses = new Map<string, () => Promise<void>>();
  private readonly releases: (() => void)[] = [];

  pauseAfter(method: 'lockStates' | 'updateStateByUbid'): Pause {
    let reach!: () => void;
    let release!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.pauses.set(method, () => (reach(), released));
    this.releases.push(release);
    return { reached, release };
  }

  /** Lets every paused call go on, so that a failed test leaves no transaction open. */
  releaseAll(): void {
    for (const release of this.releases) release();
  }

  override async lockStates(ubid: string, uniqueIds: string[]): Promise<Map<string, TrackingState>> {
    const states = await super.lockStates(ubid, uniqueIds);
    await this.pauses.get('lockStates')?.();
    return states;
  }

  override async updateStateByUbid(ubid: string, state: TrackingState): Promise<number> {
    const moved = await super.updateStateByUbid(ubid, state);
    await this.pauses.get('updateStateByUbid')?.();
    return moved;
  }
}

/**
 * Writes of one batch that meet on PostgreSQL (READ COMMITTED, pooled connections), each paused at
 * the point where they meet. On SQLite they cannot meet: its writes take turns on the one write
 * connection, so a second write starts only after the first has committed.
 */
describeOnPostgres('SmsDocumentService on PostgreSQL: writes that meet', () => {
  /** A piece of the statement with which a move of the whole batch takes the batch's lock alone, before any document. */
  const BATCH_LOCK_ALONE = 'SELECT pg_advisory_xact_lock(';
  /** A piece of the statement with which a move of the whole batch then changes (and locks) its documents. */
  const BATCH_MOVE = 'AND "state" IN (';
  const uniqueIds = ['a', 'b', 'c'];
  let db: TestDatabase;
  let documents: PausingDocumentRepository;
  let metrics: Metrics;
  let unitOfWork: TypeOrmUnitOfWork;
  let service: SmsDocumentService;
  const states = async () =>
    (
      await db.sql<{ uniqueId: string; state: string }>(
        `SELECT "uniqueId", "state" FROM "sms_documents" WHERE "UBID" = ? ORDER BY "uniqueId"`,
        [UBID],
      )
    ).map(({ uniqueId, state }) => `${uniqueId}:${state}`);

  beforeEach(async () => {
    db = await openTestDatabase('postgres');
    const transfers = new TypeOrmSmsTransferRepository(db.context);
    documents = new PausingDocumentRepository(db.context);
    metrics = new Metrics(false);
    // A unit of work that counts its retries: none of these writes may need one.
    unitOfWork = new TypeOrmUnitOfWork(db.dataSource, db.context, null, metrics);
    const receipts = new ReceiptsService(
      new TypeOrmReceiptRepository(db.context),
      documents,
      transfers,
      unitOfWork,
      metrics,
      loadConfig({}),
    );
    service = new SmsDocumentService(documents, transfers, receipts, unitOfWork, metrics);
    await db.unitOfWork.write(() => transfers.upsert({ UBID, fileName: 'f', origName: 'o', documents: 3, SMScount: 3 }));
    await service.upsert(
      toDocumentBatch(
        UBID,
        uniqueIds.map((uniqueId) => document(uniqueId)),
      ),
    );
  });
  afterEach(async () => {
    documents.releaseAll();
    await db.close();
  });

  it('lets a move of the whole batch that meets a receipt’s locked documents wait for it at the batch’s lock: the receipt changes them, then the move', async () => {
    const afterLock = documents.pauseAfter('lockStates');
    const receipt = service.recordReceipts(UBID, TrackingState.SENT, [...uniqueIds, 'x']);
    await afterLock.reached;

    const move = service.updateState(UBID, TrackingState.DONE);
    await untilWaitingForLock(db, BATCH_LOCK_ALONE);
    afterLock.release();

    await expect(receipt).resolves.toEqual({ UBID, state: TrackingState.SENT, changed: 3, unchanged: 0, unknown: ['x'] });
    await expect(move).resolves.toBe(3);
    expect(await states()).toEqual(['a:DONE', 'b:DONE', 'c:DONE']);
  });

  it('decides a receipt that waited for a move of the whole batch on the documents as the move left them: DONE, so SENT is a 409', async () => {
    const beforeCommit = documents.pauseAfter('updateStateByUbid');
    const move = service.updateState(UBID, TrackingState.DONE);
    await beforeCommit.reached;
    const receipt = service.recordReceipts(UBID, TrackingState.SENT, uniqueIds);

    await untilWaitingForLock(db, 'SELECT "uniqueId", "state"');
    beforeCommit.release();

    await expect(move).resolves.toBe(3);
    await expect(receipt).rejects.toMatchObject({
      kind: 'conflict',
      detail: `Cannot move document 'a' of UBID '${UBID}' from 'DONE' back to 'SENT' in table tracking.sms_documents`,
    });
    expect(await states()).toEqual(['a:DONE', 'b:DONE', 'c:DONE']);
  });

  // The receipt used to read the states, then UPDATE every named uniqueId: a document an upload
  // stored in between was moved and counted as changed but not as found, so unchanged came out -1
  // (and the counter refused it after the commit: a 500 for a stored change).
  it('answers a receipt whose counts add up when an upload stores one of its uniqueIds after the receipt locked its documents', async () => {
    const afterLock = documents.pauseAfter('lockStates');
    const receipt = service.recordReceipts(UBID, TrackingState.SENT, [...uniqueIds, 'y']);
    await afterLock.reached;

    await expect(service.upsert(toDocumentBatch(UBID, [document('y')]))).resolves.toBe(1);
    afterLock.release();

    await expect(receipt).resolves.toEqual({ UBID, state: TrackingState.SENT, changed: 3, unchanged: 0, unknown: ['y'] });
    expect(await states()).toEqual(['a:SENT', 'b:SENT', 'c:SENT', 'y:INIT']);
    expect((await metrics.receipts.get()).values.map(({ labels, value }) => [labels.outcome, value])).toEqual([
      ['changed', 3],
      ['unchanged', 0],
      ['unknown', 1],
    ]);
  });

  describe('one lock order', () => {
    const tenIds = Array.from({ length: 10 }, (_, index) => `d${index}`);
    let holder: QueryRunner;

    // d0 to d4 SENT, d5 to d9 INIT: a statement that locks the rows a move to DONE takes in the
    // order it reads them (a plain UPDATE by UBID and state reads the INIT ones first, in the
    // tracking index or in the table) locks d5 before d0. A third transaction holds d7.
    beforeEach(async () => {
      await service.upsert(
        toDocumentBatch(
          UBID,
          tenIds.map((uniqueId) => document(uniqueId)),
        ),
      );
      await service.recordReceipts(UBID, TrackingState.SENT, tenIds.slice(0, 5));
      holder = db.dataSource.createQueryRunner();
      await holder.startTransaction();
      await holder.query(`SELECT 1 FROM "sms_documents" WHERE "UBID" = $1 AND "uniqueId" = 'd7' FOR UPDATE`, [UBID]);
    });
    afterEach(async () => {
      if (holder.isTransactionActive) await holder.rollbackTransaction();
      await holder.release();
    });

    // The move stops at d7, holding the rows it read before it (d5, d6). The second write, for d2,
    // d6 and d8, waits for the batch's lock, which the move holds alone, and so holds nothing while
    // it waits. Had it gone for the rows, it would hold d2 and wait for d6, the move would want d2
    // once d7 is free, and PostgreSQL would cancel one of them (40P01).
    it.each<[string, () => Promise<unknown>, string, unknown]>([
      [
        'a receipt',
        () => service.recordReceipts(UBID, TrackingState.DONE, ['d8', 'd6', 'd2']),
        'SELECT "uniqueId", "state"',
        { UBID, state: TrackingState.DONE, changed: 0, unchanged: 3, unknown: [] },
      ],
      [
        'an upload',
        () =>
          service.upsert(
            toDocumentBatch(
              UBID,
              ['d8', 'd6', 'd2'].map((uniqueId) => document(uniqueId)),
            ),
          ),
        'INSERT INTO "sms_documents"',
        3,
      ],
    ])(
      'finishes a move of the whole batch and %s that meet in the middle of the batch, without a deadlock or a retry',
      async (_name, second, secondStatement, answer) => {
        const move = service.updateState(UBID, TrackingState.DONE);
        await untilWaitingForLock(db, BATCH_MOVE);
        const meeting = second();
        await untilWaitingForLock(db, secondStatement);

        await holder.commitTransaction();

        await expect(move).resolves.toBe(13);
        await expect(meeting).resolves.toEqual(answer);
        expect(await metrics.writeRetries.get()).toMatchObject({ values: [] });
      },
    );

    // The move's UPDATE runs on a snapshot taken once it holds the batch's lock. Taken when the move
    // asked for the lock, before the upload committed, it would not see c0, which would stay INIT.
    it('moves the documents of an upload it waited for, those the upload added too', async () => {
      const upload = service.upsert(toDocumentBatch(UBID, [document('c0'), document('d7')]));
      await untilWaitingForLock(db, 'INSERT INTO "sms_documents"');
      const move = service.updateState(UBID, TrackingState.DONE);
      await untilWaitingForLock(db, BATCH_LOCK_ALONE);

      await holder.commitTransaction();

      await expect(upload).resolves.toBe(2);
      await expect(move).resolves.toBe(14);
      expect(await states()).toEqual([...uniqueIds, 'c0', ...tenIds].map((uniqueId) => `${uniqueId}:DONE`));
    });

    // With a, b and c DONE the move starts at d5 and stops at d7. A purge deletes in uniqueId order:
    // had it come past the transfer, it would hold a to d4 and wait for d5, and the move, once d7 is
    // free, would wait for d0. The move locks the transfer before any document, and the purge waits
    // for it there, holding nothing.
    it('finishes a move of the whole batch and a purge that meet, without a deadlock or a retry: the move first', async () => {
      await service.recordReceipts(UBID, TrackingState.DONE, uniqueIds);
      const transfers = new SmsTransferService(new TypeOrmSmsTransferRepository(db.context), unitOfWork, metrics);
      const move = service.updateState(UBID, TrackingState.DONE);
      await untilWaitingForLock(db, BATCH_MOVE);
      const purge = transfers.purge(new Date());
      await untilWaitingForLock(db, 'FOR UPDATE');

      await holder.commitTransaction();

      await expect(move).resolves.toBe(10);
      await expect(purge).resolves.toEqual({ transfers: 1, documents: 13 });
      expect(await states()).toEqual([]);
      expect(await metrics.writeRetries.get()).toMatchObject({ values: [] });
    });

    // The upload inserts c0 and waits for d7; the delete's cascade comes to d7 after it. Had the
    // upload taken its transfer's lock only for its foreign key, at the end of its statement, it
    // would then wait for the delete, which holds the transfer and waits for d7.
    it('finishes an upload and a delete of its transfer that meet, without a deadlock or a retry: the upload first', async () => {
      const transfers = new SmsTransferService(new TypeOrmSmsTransferRepository(db.context), unitOfWork, metrics);
      const upload = service.upsert(toDocumentBatch(UBID, [document('d7'), document('c0')]));
      await untilWaitingForLock(db, 'INSERT INTO "sms_documents"');
      const deletion = transfers.delete(UBID);
      await untilWaitingForLock(db, 'DELETE FROM "sms_transfers"');

      await holder.commitTransaction();

      await expect(upload).resolves.toBe(2);
      await expect(deletion).resolves.toBeUndefined();
      expect(await states()).toEqual([]);
      expect(await metrics.writeRetries.get()).toMatchObject({ values: [] });
    });
  });
});
