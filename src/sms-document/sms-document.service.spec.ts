import { ConflictException, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { mockSmsDocumentRepository, mockSmsTransferRepository, spyingUnitOfWork } from '../../test/helpers/mocks';
import { describeOnPostgres, openTestDatabase, TestDatabase } from '../../test/helpers/test-database';
import { IntegrityError } from '../core/database/integrity-error';
import { UnitOfWork } from '../core/database/unit-of-work';
import { Metrics } from '../core/metrics/metrics';
import { TrackingState } from '../core/tracking-state';
import { SmsTransferRepository } from '../sms-transfer/sms-transfer.repository';
import { TypeOrmSmsTransferRepository } from '../sms-transfer/typeorm-sms-transfer.repository';
import { toDocumentBatch } from './domain/document-batch';
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
        { provide: Metrics, useValue: metrics },
        { provide: SmsDocumentRepository, useValue: repository },
        { provide: SmsTransferRepository, useValue: transfers },
        { provide: UnitOfWork, useValue: unitOfWork },
      ],
    }).compile();
    service = moduleRef.get(SmsDocumentService);
  });

  describe('upsert', () => {
    it('writes the batch with one statement in its own implicit transaction, and reports its documents', async () => {
      const batch = toDocumentBatch(UBID, [document('a'), document('b'), document('a', 3)]);

      await expect(service.upsert(batch)).resolves.toEqual({
        result: `Inserted 2 document(s) for UBID '${UBID}' in table tracking.sms_documents`,
        count: 2,
      });
      expect(unitOfWork.writeSingleStatement).toHaveBeenCalledTimes(1);
      expect(unitOfWork.write).not.toHaveBeenCalled();
      expect(repository.upsertMany).toHaveBeenCalledWith(batch);
      expect((await metrics.documentsUpserted.get()).values[0].value).toBe(2);
    });

    it("turns the database's refusal into the original's 422", async () => {
      repository.upsertMany.mockRejectedValue(new IntegrityError('FOREIGN KEY constraint failed'));

      const failure = service.upsert(toDocumentBatch(UBID, [document('a')]));

      await expect(failure).rejects.toBeInstanceOf(UnprocessableEntityException);
      await expect(failure).rejects.toMatchObject({
        response: {
          detail: `Failed Upsert of UBID '${UBID}' document(s) in table tracking.sms_documents => FOREIGN KEY constraint failed`,
        },
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
    repository.updateStateByUbid.mockResolvedValue(0);

    await expect(call()).rejects.toBeInstanceOf(NotFoundException);
    await expect(call()).rejects.toMatchObject({ response: { detail: `UBID '${UBID}' not found in table tracking.sms_documents` } });
  });

  describe('updateState', () => {
    it('counts only the documents that moved, and answers 200 when none had to', async () => {
      repository.updateStateByUbid.mockResolvedValue(0);
      repository.countByUbid.mockResolvedValue(3);

      await expect(service.updateState(UBID, TrackingState.SENT)).resolves.toEqual({
        result: `Updated state to 'SENT' in 0 row(s) for UBID '${UBID}' in table tracking.sms_documents`,
        count: 0,
      });
      expect(unitOfWork.write).toHaveBeenCalledTimes(1);
    });

    it('does not count the documents when some moved', async () => {
      repository.updateStateByUbid.mockResolvedValue(2);

      await expect(service.updateState(UBID, TrackingState.DONE)).resolves.toMatchObject({ count: 2 });
      expect(repository.countByUbid).not.toHaveBeenCalled();
    });
  });

  describe('recordReceipts', () => {
    it('moves the named documents, counts the no-ops and lists the unknown uniqueIds once each, in one unit of work', async () => {
      repository.findStates.mockResolvedValue(
        new Map([
          ['a', TrackingState.INIT],
          ['b', TrackingState.SENT],
          ['c', TrackingState.INIT],
        ]),
      );
      repository.updateStates.mockResolvedValue(2);

      await expect(service.recordReceipts(UBID, TrackingState.SENT, ['a', 'b', 'x', 'c', 'x', 'a'])).resolves.toEqual({
        UBID,
        state: TrackingState.SENT,
        changed: 2,
        unchanged: 1,
        unknown: ['x'],
      });
      expect(repository.findStates).toHaveBeenCalledWith(UBID, ['a', 'b', 'x', 'c']);
      expect(repository.updateStates).toHaveBeenCalledWith(UBID, ['a', 'b', 'x', 'c'], TrackingState.SENT);
      expect(unitOfWork.write).toHaveBeenCalledTimes(1);
      expect((await metrics.receipts.get()).values.map(({ labels, value }) => [labels.state, labels.outcome, value])).toEqual([
        ['SENT', 'changed', 2],
        ['SENT', 'unchanged', 1],
        ['SENT', 'unknown', 1],
      ]);
    });

    it('refuses the whole request with 409, naming the first document that would move back, and writes nothing', async () => {
      repository.findStates.mockResolvedValue(
        new Map([
          ['a', TrackingState.INIT],
          ['b', TrackingState.DONE],
          ['c', TrackingState.DONE],
        ]),
      );

      const failure = service.recordReceipts(UBID, TrackingState.SENT, ['a', 'b', 'c']);

      await expect(failure).rejects.toBeInstanceOf(ConflictException);
      await expect(failure).rejects.toMatchObject({
        response: { detail: `Cannot move document 'b' of UBID '${UBID}' from 'DONE' back to 'SENT' in table tracking.sms_documents` },
      });
      expect(repository.updateStates).not.toHaveBeenCalled();
    });
  });

  it('summarize adds the states up to the total', async () => {
    const lastChange = new Date('2024-04-17T09:12:05.000Z');
    repository.countStates.mockResolvedValue({ counts: { INIT: 4, SENT: 1, DONE: 5 }, lastChange });

    await expect(service.summarize(UBID)).resolves.toEqual({ UBID, total: 10, INIT: 4, SENT: 1, DONE: 5, lastChange });
  });

  it.each([
    ['summarize', () => service.summarize(UBID), repository.countStates],
    ['recordReceipts', () => service.recordReceipts(UBID, TrackingState.DONE, ['a']), repository.findStates],
    ['list', () => service.list(UBID, { limit: 10 }), repository.findPage],
  ])("%s answers the transfers' 404 for an unknown UBID, without reading documents", async (_name, call, repositoryMethod) => {
    transfers.findByUbid.mockResolvedValue(null);

    await expect(call()).rejects.toMatchObject({ response: { detail: `UBID '${UBID}' is not found in table tracking.sms_transfers` } });
    expect(repositoryMethod).not.toHaveBeenCalled();
  });

  it('get answers 404 naming the document', async () => {
    repository.findOne.mockResolvedValue(null);

    await expect(service.get(UBID, 'a/b')).rejects.toMatchObject({
      response: { detail: `Document 'a/b' of UBID '${UBID}' not found in table tracking.sms_documents` },
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
    repository.countStates.mockResolvedValue({ counts: { INIT: 1, SENT: 0, DONE: 0 }, lastChange: null });
    repository.findPage.mockResolvedValue({ items: [], next: null });
    repository.findOne.mockResolvedValue(document('a'));
    repository.updateStateByUbid.mockResolvedValue(1);
    repository.findStates.mockResolvedValue(new Map([['a', TrackingState.INIT]]));
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
        response: { detail: `UBID '${UBID}' is not found in table tracking.sms_transfers` },
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

  pauseAfter(method: 'findStates' | 'updateStateByUbid'): Pause {
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

  override async findStates(ubid: string, uniqueIds: string[]): Promise<Map<string, TrackingState>> {
    const states = await super.findStates(ubid, uniqueIds);
    await this.pauses.get('findStates')?.();
    return states;
  }

  override async updateStateByUbid(ubid: string, state: TrackingState): Promise<number> {
    const moved = await super.updateStateByUbid(ubid, state);
    await this.pauses.get('updateStateByUbid')?.();
    return moved;
  }
}

/**
 * Receipts racing a move of the whole batch on PostgreSQL (READ COMMITTED, pooled connections):
 * the receipt read its documents' states before the move; its UPDATE's own condition still never
 * moves a document back, and the answer counts such documents as unchanged (see recordReceipts).
 */
describeOnPostgres('SmsDocumentService on PostgreSQL: receipts while the whole batch moves on', () => {
  const uniqueIds = ['a', 'b', 'c'];
  let db: TestDatabase;
  let documents: PausingDocumentRepository;
  let service: SmsDocumentService;
  const states = async () =>
    (await db.sql<{ state: string }>(`SELECT "state" FROM "sms_documents" WHERE "UBID" = ? ORDER BY "uniqueId"`, [UBID])).map(
      ({ state }) => state,
    );

  beforeEach(async () => {
    db = await openTestDatabase('postgres');
    const transfers = new TypeOrmSmsTransferRepository(db.context);
    documents = new PausingDocumentRepository(db.context);
    service = new SmsDocumentService(documents, transfers, db.unitOfWork, new Metrics(false));
    await db.unitOfWork.write(() => transfers.upsert({ UBID, fileName: 'f', origName: 'o', documents: 3, SMScount: 3 }));
    await db.unitOfWork.write(() =>
      documents.upsertMany(
        toDocumentBatch(
          UBID,
          uniqueIds.map((uniqueId) => document(uniqueId)),
        ),
      ),
    );
  });
  afterEach(async () => {
    documents.releaseAll();
    await db.close();
  });

  it('counts as unchanged the documents a move to DONE committed between the receipt’s read and its write', async () => {
    const afterRead = documents.pauseAfter('findStates');
    const receipt = service.recordReceipts(UBID, TrackingState.SENT, [...uniqueIds, 'x']);
    await afterRead.reached;

    await expect(service.updateState(UBID, TrackingState.DONE)).resolves.toMatchObject({ count: 3 });
    afterRead.release();

    await expect(receipt).resolves.toEqual({ UBID, state: TrackingState.SENT, changed: 0, unchanged: 3, unknown: ['x'] });
    expect(await states()).toEqual(['DONE', 'DONE', 'DONE']);
  });

  it('counts as unchanged the documents of a move to DONE that commits while the receipt’s write waits for their rows', async () => {
    const beforeCommit = documents.pauseAfter('updateStateByUbid');
    const move = service.updateState(UBID, TrackingState.DONE);
    await beforeCommit.reached;
    const receipt = service.recordReceipts(UBID, TrackingState.SENT, uniqueIds);

    // The receipt read INIT (the move is not committed) and its UPDATE now waits for the move's row locks.
    await untilWaitingForLock(db, 'UPDATE "sms_documents"');
    beforeCommit.release();

    await expect(move).resolves.toMatchObject({ count: 3 });
    await expect(receipt).resolves.toEqual({ UBID, state: TrackingState.SENT, changed: 0, unchanged: 3, unknown: [] });
    expect(await states()).toEqual(['DONE', 'DONE', 'DONE']);
  });
});

/** Resolves once a statement starting with `statement` waits for a lock on this database; checks every 20 ms. */
async function untilWaitingForLock(db: TestDatabase, statement: string): Promise<void> {
  const waiting = async () =>
    (
      await db.sql<{ n: number }>(
        `SELECT CAST(COUNT(*) AS INTEGER) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE ?`,
        [`${statement}%`],
      )
    )[0].n > 0;
  while (!(await waiting())) await new Promise((resolve) => setTimeout(resolve, 20));
}
