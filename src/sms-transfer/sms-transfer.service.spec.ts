import { Test } from '@nestjs/testing';

import { untilWaitingForLock } from '../../test/helpers/lock-waits';
import { mockSmsTransferRepository, spyingUnitOfWork } from '../../test/helpers/mocks';
import { describeEachDatabase, openTestDatabase, SHARED_DATABASES, TestDatabase } from '../../test/helpers/test-database';
import { IntegrityError } from '../core/database/integrity-error';
import { UnitOfWork } from '../core/database/unit-of-work';
import { DomainError } from '../core/errors/domain-error';
import { Metrics } from '../core/metrics/metrics';
import { toDocumentBatch } from '../sms-document/domain/document-batch';
import { TypeOrmSmsDocumentRepository } from '../sms-document/typeorm-sms-document.repository';
import { TrackingState } from '../tracking/tracking-state';
import { SmsTransferRepository } from './sms-transfer.repository';
import { PURGE_DOCUMENTS_PER_STATEMENT, PURGE_TRANSFERS_PER_READ, SmsTransferService } from './sms-transfer.service';
import { TypeOrmSmsTransferRepository } from './typeorm-sms-transfer.repository';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const NOT_FOUND = { kind: 'not-found', detail: `UBID '${UBID}' is not found in table tracking.sms_transfers` };
const STORED = {
  UBID,
  fileName: 'f.json',
  origName: 'o.csv',
  fallbackCount: 2,
  when: new Date('2024-04-17T08:58:37.000Z'),
  documents: 3,
  SMScount: 4,
};

describe('SmsTransferService', () => {
  let metrics: Metrics;
  let service: SmsTransferService;
  const repository = mockSmsTransferRepository();
  let unitOfWork: ReturnType<typeof spyingUnitOfWork>;

  beforeEach(async () => {
    // Reset, not clear: a mock's answer set by one test must not leak into the next, whatever their order.
    jest.resetAllMocks();
    metrics = new Metrics(false);
    unitOfWork = spyingUnitOfWork();
    const moduleRef = await Test.createTestingModule({
      providers: [
        SmsTransferService,
        { provide: Metrics, useValue: metrics },
        { provide: SmsTransferRepository, useValue: repository },
        { provide: UnitOfWork, useValue: unitOfWork },
      ],
    }).compile();
    service = moduleRef.get(SmsTransferService);
  });

  it.each([
    ['get', () => service.get(UBID), repository.findByUbid, null, 'read'],
    ['updateState', () => service.updateState(UBID, TrackingState.SENT), repository.updateState, null, 'write'],
    ['delete', () => service.delete(UBID), repository.delete, false, 'write'],
    ['computeFallback', () => service.computeFallback(UBID), repository.setFallbackCountFromDocuments, null, 'write'],
    ['setFallbackCount', () => service.setFallbackCount(UBID, 3), repository.setFallbackCount, null, 'write'],
  ] as const)(
    '%s answers the original 404 for an unknown UBID, in one %s unit of work',
    async (_name, call, repositoryMethod, missing, kind) => {
      repositoryMethod.mockResolvedValue(missing);

      const failure = call();

      await expect(failure).rejects.toBeInstanceOf(DomainError);
      await expect(failure).rejects.toMatchObject(NOT_FOUND);
      expect(unitOfWork[kind]).toHaveBeenCalledTimes(1);
      expect(unitOfWork[kind === 'read' ? 'write' : 'read']).not.toHaveBeenCalled();
    },
  );

  it('create answers 422 when the database refuses a value', async () => {
    repository.upsert.mockRejectedValue(new IntegrityError('integer out of range'));

    await expect(service.create({ UBID, fileName: 'f', origName: 'o', documents: 1, SMScount: 1 })).rejects.toMatchObject({
      kind: 'refused',
      detail: `Failed Upsert of UBID '${UBID}' in table tracking.sms_transfers => integer out of range`,
    });
  });

  it('create passes other failures on', async () => {
    repository.upsert.mockRejectedValue(new Error('disk full'));

    await expect(service.create({ UBID, fileName: 'f', origName: 'o', documents: 1, SMScount: 1 })).rejects.toThrow('disk full');
  });

  it('delete resolves when the transfer was there', async () => {
    repository.delete.mockResolvedValue(true);

    await expect(service.delete(UBID)).resolves.toBeUndefined();
    expect(repository.delete).toHaveBeenCalledWith(UBID);
    expect((await metrics.transfersDeleted.get()).values).toEqual([{ labels: { by: 'request' }, value: 1 }]);
  });

  it('create counts the transfers registered, and not those refused', async () => {
    repository.upsert.mockResolvedValueOnce(STORED).mockRejectedValueOnce(new IntegrityError('integer out of range'));
    const transfer = { UBID, fileName: 'f', origName: 'o', documents: 1, SMScount: 1 };

    await service.create(transfer);
    await expect(service.create(transfer)).rejects.toThrow();

    expect((await metrics.transfersCreated.get()).values[0].value).toBe(1);
  });

  describe('updateState', () => {
    const transfer = (state: TrackingState) => ({ ...STORED, state });

    // The repository moves the transfer only forward and answers it as it is afterwards: in the
    // state asked for when it was behind it or already there (the same state again succeeds).
    it.each(Object.values(TrackingState))(
      'asks the repository to move the UBID to %s, and answers the transfer in that state',
      async (requested) => {
        repository.updateState.mockResolvedValue(transfer(requested));

        await expect(service.updateState(UBID, requested)).resolves.toEqual(transfer(requested));
        expect(repository.updateState).toHaveBeenCalledWith(UBID, requested);
      },
    );

    it.each([
      [TrackingState.DONE, TrackingState.SENT],
      [TrackingState.DONE, TrackingState.INIT],
      [TrackingState.SENT, TrackingState.INIT],
    ])('answers 409 naming both states when the repository left the transfer in %s, further along than %s', async (left, requested) => {
      repository.updateState.mockResolvedValue(transfer(left));

      const failure = service.updateState(UBID, requested);

      await expect(failure).rejects.toBeInstanceOf(DomainError);
      await expect(failure).rejects.toMatchObject({
        kind: 'conflict',
        detail: `Cannot move UBID '${UBID}' from '${left}' back to '${requested}' in table tracking.sms_transfers`,
      });
    });
  });

  describe('purge', () => {
    const before = new Date('2024-03-01T00:00:00.000Z');
    const ubids = (count: number, from = 0) => Array.from({ length: count }, (_, index) => `u${String(from + index).padStart(4, '0')}`);

    beforeEach(() => repository.lockIfExpired.mockResolvedValue(true));

    it('deletes each expired transfer’s documents a bounded statement at a time, then the transfer, each step a write of its own that first locks the transfer', async () => {
      repository.findExpired.mockResolvedValueOnce(['a', 'b']);
      repository.deleteExpiredDocuments
        .mockResolvedValueOnce(PURGE_DOCUMENTS_PER_STATEMENT)
        .mockResolvedValueOnce(PURGE_DOCUMENTS_PER_STATEMENT)
        .mockResolvedValueOnce(7)
        .mockResolvedValueOnce(0);
      repository.deleteIfExpired.mockResolvedValue(true);

      await expect(service.purge(before, TrackingState.DONE)).resolves.toEqual({
        transfers: 2,
        documents: 2 * PURGE_DOCUMENTS_PER_STATEMENT + 7,
      });

      expect(repository.findExpired).toHaveBeenCalledWith({
        before,
        state: TrackingState.DONE,
        after: undefined,
        limit: PURGE_TRANSFERS_PER_READ,
      });
      expect(repository.deleteExpiredDocuments.mock.calls).toEqual([
        ['a', before, PURGE_DOCUMENTS_PER_STATEMENT],
        ['a', before, PURGE_DOCUMENTS_PER_STATEMENT],
        ['a', before, PURGE_DOCUMENTS_PER_STATEMENT],
        ['b', before, PURGE_DOCUMENTS_PER_STATEMENT],
      ]);
      expect(repository.deleteIfExpired.mock.calls).toEqual([
        ['a', before],
        ['b', before],
      ]);
      expect(repository.lockIfExpired.mock.calls).toEqual([
        ...Array.from({ length: 4 }, () => ['a', before]),
        ...Array.from({ length: 2 }, () => ['b', before]),
      ]);
      expect(unitOfWork.read).toHaveBeenCalledTimes(1);
      expect(unitOfWork.write).toHaveBeenCalledTimes(6);
      expect(unitOfWork.writeSingleStatement).not.toHaveBeenCalled();
    });

    it('leaves a transfer that changed since the lookup, with its documents, as the lock finds it', async () => {
      repository.findExpired.mockResolvedValueOnce(['a']);
      repository.lockIfExpired.mockResolvedValue(false);

      await expect(service.purge(before)).resolves.toEqual({ transfers: 0, documents: 0 });

      expect(repository.lockIfExpired).toHaveBeenCalledTimes(2);
      expect(repository.deleteExpiredDocuments).not.toHaveBeenCalled();
      expect(repository.deleteIfExpired).not.toHaveBeenCalled();
    });

    it('counts the transfers and documents it removed', async () => {
      repository.findExpired.mockResolvedValueOnce(['a', 'b']);
      repository.deleteExpiredDocuments.mockResolvedValueOnce(7).mockResolvedValueOnce(3);
      repository.deleteIfExpired.mockResolvedValueOnce(true).mockResolvedValueOnce(false);

      await service.purge(before);

      expect((await metrics.transfersDeleted.get()).values).toEqual([{ labels: { by: 'purge' }, value: 1 }]);
      expect((await metrics.documentsPurged.get()).values[0].value).toBe(10);
    });

    it('goes on after the last UBID of a full lookup, and does not count a transfer that changed meanwhile', async () => {
      const first = ubids(PURGE_TRANSFERS_PER_READ);
      repository.findExpired.mockResolvedValueOnce(first).mockResolvedValueOnce(['z']);
      repository.deleteExpiredDocuments.mockResolvedValue(1);
      repository.deleteIfExpired.mockImplementation(async (ubid: string) => ubid !== 'z');

      await expect(service.purge(before)).resolves.toEqual({
        transfers: PURGE_TRANSFERS_PER_READ,
        documents: PURGE_TRANSFERS_PER_READ + 1,
      });
      expect(repository.findExpired).toHaveBeenLastCalledWith({
        before,
        state: undefined,
        after: first.at(-1),
        limit: PURGE_TRANSFERS_PER_READ,
      });
    });

    it('takes a time in the future as now', async () => {
      repository.findExpired.mockResolvedValue([]);
      const start = Date.now();

      await expect(service.purge(new Date('2999-01-01T00:00:00Z'))).resolves.toEqual({ transfers: 0, documents: 0 });

      const cutoff = (repository.findExpired.mock.calls[0][0] as { before: Date }).before.getTime();
      expect(cutoff).toBeGreaterThanOrEqual(start);
      expect(cutoff).toBeLessThanOrEqual(Date.now());
    });
  });
});

/**
 * A purge that meets uploads to a transfer it has found expired: nothing whose upload was
 * acknowledged after the purge's check of the cutoff is deleted, nor is its transfer. The
 * transfer and its two documents are from 2020; the cutoff is 2021.
 */
describeEachDatabase(SHARED_DATABASES, 'SmsTransferService.purge meeting uploads on %s', (kind) => {
  const cutoff = new Date('2021-01-01T00:00:00.000Z');
  let db: TestDatabase;
  let transfers: TypeOrmSmsTransferRepository;
  let documents: TypeOrmSmsDocumentRepository;
  let purging: SmsTransferService;
  const upload = (...uniqueIds: string[]) =>
    toDocumentBatch(
      UBID,
      uniqueIds.map((uniqueId) => ({ uniqueId, SMScount: 1, data: {} })),
    );
  const remaining = async () => ({
    transfers: (await db.sql<{ UBID: string }>('SELECT "UBID" FROM "sms_transfers"')).map((row) => row.UBID),
    documents: (await db.sql<{ uniqueId: string }>('SELECT "uniqueId" FROM "sms_documents" ORDER BY "uniqueId"')).map(
      (row) => row.uniqueId,
    ),
  });

  beforeEach(async () => {
    db = await openTestDatabase(kind);
    transfers = new TypeOrmSmsTransferRepository(db.context);
    documents = new TypeOrmSmsDocumentRepository(db.context);
    purging = new SmsTransferService(transfers, db.unitOfWork, new Metrics(false));
    await db.unitOfWork.write(() => transfers.upsert({ ...STORED, documents: 3 }));
    await db.unitOfWork.writeSingleStatement(() => documents.upsertMany(upload('old1', 'old2')));
    await db.sql(`UPDATE "sms_transfers" SET "when" = '2020-01-01 00:00:00'`);
    await db.sql(`UPDATE "sms_documents" SET "when" = '2020-01-01 00:00:00'`);
  });
  afterEach(() => db.close());

  // The lookup is a read of its own; the writes that delete come after it. Paused between the two,
  // the purge lets an upload run to its acknowledgement (on SQLite the units interleave only so:
  // its writes take turns, a statement never runs inside another unit's).
  it.each([
    ['a new document', ['new1'], { transfers: 0, documents: 2 }, ['new1']],
    ['an old document again', ['old1'], { transfers: 0, documents: 1 }, ['old1']],
  ])(
    'keeps %s uploaded between its check of the cutoff and its deletes, and the transfer',
    async (_name, uploaded, purged, documentsLeft) => {
      let reached!: () => void;
      const lookedUp = new Promise<void>((resolve) => (reached = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const findExpired = transfers.findExpired.bind(transfers);
      // A spy around the real lookup, not a mock: only the moment after it is the test's.
      jest.spyOn(transfers, 'findExpired').mockImplementation(async (query) => {
        const expired = await findExpired(query);
        reached();
        await released;
        return expired;
      });
      const purge = purging.purge(cutoff);
      await lookedUp;

      await db.unitOfWork.writeSingleStatement(() => documents.upsertMany(upload(...uploaded)));
      release();

      await expect(purge).resolves.toEqual(purged);
      expect(await remaining()).toEqual({ transfers: [UBID], documents: documentsLeft });
    },
  );

  if (kind === 'postgres') {
    // The upload holds its transaction open after its statement, as one would between its
    // statement and its commit; the purge comes to it and waits; then the upload commits. Before
    // the purge locked the transfer first, its delete of the transfer checked "no documents left"
    // on a snapshot taken before the wait, and the cascade then deleted the document committed
    // during it; its delete of old documents deleted an old document uploaded again meanwhile.
    it.each([
      ['a new document', ['new1'], { transfers: 0, documents: 2 }, ['new1']],
      ['an old document again', ['old1'], { transfers: 0, documents: 1 }, ['old1']],
    ])('keeps %s whose upload commits while the purge waits for it, and the transfer', async (_name, uploaded, purged, documentsLeft) => {
      let stored!: () => void;
      const storedYet = new Promise<void>((resolve) => (stored = resolve));
      let commit!: () => void;
      const committing = new Promise<void>((resolve) => (commit = resolve));
      const held = db.unitOfWork.write(async () => {
        await documents.upsertMany(upload(...uploaded));
        stored();
        await committing;
      });
      await storedYet;

      const purge = purging.purge(cutoff);
      await untilWaitingForLock(db, '');
      commit();
      await held;

      await expect(purge).resolves.toEqual(purged);
      expect(await remaining()).toEqual({ transfers: [UBID], documents: documentsLeft });
    });
  }
});
