import { loadTestData } from '../../test/helpers/load-test-data';
import { untilWaitingForLock } from '../../test/helpers/lock-waits';
import { describeEachDatabase, openTestDatabase, TEST_DATABASES, TestDatabase } from '../../test/helpers/test-database';
import { IntegrityError } from '../core/database/integrity-error';
import { toDocumentBatch } from '../sms-document/domain/document-batch';
import { TypeOrmSmsDocumentRepository } from '../sms-document/typeorm-sms-document.repository';
import { TrackingState } from '../tracking/tracking-state';
import { NewSmsTransfer } from './domain/sms-transfer';
import { TypeOrmSmsTransferRepository } from './typeorm-sms-transfer.repository';

interface TestData {
  transfer: NewSmsTransfer;
  resent: NewSmsTransfer;
  listing: { UBID: string; state: TrackingState; when: string }[];
  /** Transfers stored with one and the same time, in an order that is not their UBIDs'. */
  sameTime: { when: string; insertedInOrder: string[] };
  /** Values the database refuses, with its words per engine; null where the engine stores them as given. */
  refusals: { name: string; fields: Partial<Record<keyof NewSmsTransfer, unknown>>; sqlite: string | null; postgres: string }[];
}

const { transfer, resent, listing, sameTime, refusals } = loadTestData<TestData>(__filename);
const UNKNOWN = '6f1c9a52-2d7e-4c1b-8d3a-000000000000';

/** "Now" as the database writes it (SQLite: UTC text with milliseconds). */
function expectRecent(when: Date): void {
  expect(when).toBeInstanceOf(Date);
  expect(Math.abs(Date.now() - when.getTime())).toBeLessThan(5_000);
}

describeEachDatabase(TEST_DATABASES, 'TypeOrmSmsTransferRepository on %s', (kind) => {
  let db: TestDatabase;
  let repository: TypeOrmSmsTransferRepository;
  const inTransaction = <T>(work: () => Promise<T>) => db.unitOfWork.write(work);

  beforeEach(async () => {
    db = await openTestDatabase(kind);
    repository = new TypeOrmSmsTransferRepository(db.context);
  });
  afterEach(() => db.close());

  async function insertDocument(ubid: string, uniqueId: string): Promise<void> {
    await db.sql(`INSERT INTO "sms_documents" ("UBID", "uniqueId", "SMScount", "data") VALUES (?, ?, 1, '{}')`, [ubid, uniqueId]);
  }

  if (kind !== 'postgres') {
    it('has foreign keys switched on for its connection', async () => {
      expect(await db.sql('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    });

    it('waits for the disk at every commit by default (FULL): an acknowledged write survives a power cut', async () => {
      expect(await db.sql('PRAGMA synchronous')).toEqual([{ synchronous: 2 }]);
    });
  }

  it('refuses to work outside a unit of work', async () => {
    await expect(repository.findByUbid(transfer.UBID)).rejects.toThrow('outside a unit of work');
  });

  describe('upsert', () => {
    it('stores a new transfer with the defaults filled in by the database', async () => {
      const stored = await inTransaction(() => repository.upsert(transfer));

      expect(stored).toEqual({ ...transfer, state: TrackingState.INIT, fallbackCount: 0, when: expect.any(Date) });
      expectRecent(stored.when);
    });

    it('answers the transfer it stored, not another one of the table', async () => {
      await inTransaction(() => repository.upsert(transfer));
      const second = { ...transfer, UBID: listing[0].UBID, fileName: 'second.json' };

      expect(await inTransaction(() => repository.upsert(second))).toMatchObject(second);
    });

    it('replaces an existing transfer and resets state, fallbackCount and when, as a retry', async () => {
      await inTransaction(() => repository.upsert(transfer));
      await db.sql(`UPDATE "sms_transfers" SET "state" = 'DONE', "fallbackCount" = 7, "when" = '2020-01-01 00:00:00'`);

      const stored = await inTransaction(() => repository.upsert(resent));

      expect(stored).toEqual({ ...resent, state: TrackingState.INIT, fallbackCount: 0, when: expect.any(Date) });
      expectRecent(stored.when);
      expect(await db.sql('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "sms_transfers"')).toEqual([{ n: 1 }]);
    });

    // SQLite enforces NOT NULL but neither VARCHAR lengths nor INTEGER ranges (validation does, before the repository); PostgreSQL enforces all three.
    it.each(refusals)(
      'throws an IntegrityError with the engine’s words for $name, and stores nothing',
      async ({ fields, sqlite, postgres }) => {
        const reason = kind === 'postgres' ? postgres : sqlite;
        const write = inTransaction(() => repository.upsert({ ...transfer, ...fields } as NewSmsTransfer));

        if (reason === null) {
          await expect(write).resolves.toMatchObject(fields);
        } else {
          await expect(write).rejects.toEqual(new IntegrityError(reason));
          await expect(write).rejects.toBeInstanceOf(IntegrityError);
          expect(await db.sql('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "sms_transfers"')).toEqual([{ n: 0 }]);
        }
      },
    );

    it('passes other database errors on unchanged', async () => {
      await db.sql('DROP TABLE "sms_documents"');
      await db.sql('DROP TABLE "sms_transfers"');

      const write = inTransaction(() => repository.upsert(transfer));

      await expect(write).rejects.toThrow(/no such table: sms_transfers|relation "sms_transfers" does not exist/);
      await expect(write).rejects.not.toBeInstanceOf(IntegrityError);
    });
  });

  describe('findByUbid', () => {
    it('reads the stored time as UTC', async () => {
      await inTransaction(() => repository.upsert(transfer));
      await db.sql(`UPDATE "sms_transfers" SET "when" = '2024-04-17 08:58:37'`);

      const found = await inTransaction(() => repository.findByUbid(transfer.UBID));

      expect(found?.when.toISOString()).toBe('2024-04-17T08:58:37.000Z');
    });

    it('answers null for an unknown UBID', async () => {
      expect(await inTransaction(() => repository.findByUbid(UNKNOWN))).toBeNull();
    });
  });

  describe('findPage', () => {
    beforeEach(async () => {
      for (const { UBID, state, when } of listing) {
        await inTransaction(() => repository.upsert({ ...transfer, UBID }));
        await db.sql(`UPDATE "sms_transfers" SET "state" = ?, "when" = ? WHERE "UBID" = ?`, [state, when, UBID]);
      }
    });

    const ubids = (page: { items: { UBID: string }[] }) => page.items.map((item) => item.UBID);

    it('lists newest first with the total', async () => {
      const page = await inTransaction(() => repository.findPage({ limit: 100, offset: 0 }));

      expect(ubids(page)).toEqual(listing.map((row) => row.UBID).reverse());
      expect(page.total).toBe(4);
    });

    it('pages with limit and offset, the total counting all pages', async () => {
      const page = await inTransaction(() => repository.findPage({ limit: 2, offset: 1 }));

      expect(ubids(page)).toEqual([listing[2].UBID, listing[1].UBID]);
      expect(page.total).toBe(4);
    });

    it('orders transfers of the same time by UBID, so that pages neither repeat nor skip one', async () => {
      for (const UBID of sameTime.insertedInOrder) {
        await inTransaction(() => repository.upsert({ ...transfer, UBID }));
      }
      await db.sql(`UPDATE "sms_transfers" SET "when" = ? WHERE "when" > ?`, [sameTime.when, listing[listing.length - 1].when]);
      const sorted = [...sameTime.insertedInOrder].sort();

      const pages = [];
      for (let offset = 0; offset < sorted.length; offset += 2) {
        pages.push(ubids(await inTransaction(() => repository.findPage({ limit: 2, offset }))));
      }

      expect(pages).toEqual([sorted.slice(0, 2), sorted.slice(2, 4)]);
    });

    it('filters by state', async () => {
      const page = await inTransaction(() => repository.findPage({ limit: 1, offset: 0, state: TrackingState.SENT }));

      expect(ubids(page)).toEqual([listing[2].UBID]);
      expect(page.total).toBe(2);
    });
  });

  describe('updateState', () => {
    it('sets the state and the time, and answers the updated row', async () => {
      await inTransaction(() => repository.upsert(transfer));
      await db.sql(`UPDATE "sms_transfers" SET "when" = '2020-01-01 00:00:00'`);

      const updated = await inTransaction(() => repository.updateState(transfer.UBID, TrackingState.SENT));

      expect(updated).toEqual({ ...transfer, state: TrackingState.SENT, fallbackCount: 0, when: expect.any(Date) });
      expectRecent(updated!.when);
    });

    it('answers null for an unknown UBID', async () => {
      expect(await inTransaction(() => repository.updateState(UNKNOWN, TrackingState.DONE))).toBeNull();
    });

    it.each([
      [TrackingState.DONE, TrackingState.SENT],
      [TrackingState.SENT, TrackingState.SENT],
      [TrackingState.SENT, TrackingState.INIT],
    ])('leaves a transfer in %s as it is when %s is asked, and answers it', async (stored, requested) => {
      await inTransaction(() => repository.upsert(transfer));
      await db.sql(`UPDATE "sms_transfers" SET "state" = ?, "when" = '2020-01-01 00:00:00'`, [stored]);

      const answered = await inTransaction(() => repository.updateState(transfer.UBID, requested));

      expect(answered).toMatchObject({ state: stored, when: new Date('2020-01-01T00:00:00.000Z') });
    });

    it('sends no UPDATE when the state asked for is INIT, which no state comes before', async () => {
      await inTransaction(() => repository.upsert(transfer));
      const before = db.queries.length;

      expect(await inTransaction(() => repository.updateState(transfer.UBID, TrackingState.INIT))).toMatchObject({
        state: TrackingState.INIT,
      });
      expect(db.queries.slice(before).filter((sql) => sql.startsWith('UPDATE'))).toEqual([]);
    });
  });

  describe('fallback count', () => {
    beforeEach(async () => {
      await inTransaction(() => repository.upsert(transfer));
      await inTransaction(() => repository.upsert({ ...transfer, UBID: listing[0].UBID }));
      for (const [uniqueId, state] of [
        ['a', 'INIT'],
        ['b', 'SENT'],
        ['c', 'DONE'],
        ['d', 'SENT'],
        ['e', 'DONE'],
      ]) {
        await insertDocument(transfer.UBID, uniqueId);
        await db.sql(`UPDATE "sms_documents" SET "state" = ? WHERE "uniqueId" = ?`, [state, uniqueId]);
      }
      await insertDocument(listing[0].UBID, 'a');
    });

    it("stores the number of the transfer's documents not DONE, and answers the transfer", async () => {
      const updated = await inTransaction(() => repository.setFallbackCountFromDocuments(transfer.UBID));

      expect(updated).toMatchObject({ UBID: transfer.UBID, fallbackCount: 3, state: TrackingState.INIT });
      expect(await inTransaction(() => repository.findByUbid(listing[0].UBID))).toMatchObject({ fallbackCount: 0 });
    });

    it('counts the DONE documents with an outcome other than delivered as not delivered', async () => {
      await db.sql(`UPDATE "sms_documents" SET "outcome" = 'failed' WHERE "uniqueId" = 'c' AND "UBID" = ?`, [transfer.UBID]);
      await db.sql(`UPDATE "sms_documents" SET "outcome" = 'delivered' WHERE "uniqueId" = 'e' AND "UBID" = ?`, [transfer.UBID]);

      expect(await inTransaction(() => repository.setFallbackCountFromDocuments(transfer.UBID))).toMatchObject({ fallbackCount: 4 });
    });

    it('stores a number given explicitly', async () => {
      expect(await inTransaction(() => repository.setFallbackCount(transfer.UBID, 1250))).toMatchObject({ fallbackCount: 1250 });
    });

    it.each([
      ['computed', () => repository.setFallbackCountFromDocuments(UNKNOWN)],
      ['explicit', () => repository.setFallbackCount(UNKNOWN, 1)],
    ])('answers null for an unknown UBID (%s)', async (_name, call) => {
      expect(await inTransaction(call)).toBeNull();
    });
  });

  describe('delete', () => {
    it('deletes the transfer and, by the cascade, only its documents', async () => {
      const other = listing[0].UBID;
      await inTransaction(() => repository.upsert(transfer));
      await inTransaction(() => repository.upsert({ ...transfer, UBID: other }));
      await insertDocument(transfer.UBID, 'a');
      await insertDocument(transfer.UBID, 'b');
      await insertDocument(other, 'a');

      expect(await inTransaction(() => repository.delete(transfer.UBID))).toBe(true);

      expect(await db.sql('SELECT "UBID" FROM "sms_transfers"')).toEqual([{ UBID: other }]);
      expect(await db.sql('SELECT "UBID", "uniqueId" FROM "sms_documents"')).toEqual([{ UBID: other, uniqueId: 'a' }]);
    });

    it('answers false for an unknown UBID', async () => {
      expect(await inTransaction(() => repository.delete(UNKNOWN))).toBe(false);
    });
  });

  describe('retention', () => {
    const [oldest, withRecentDocument, oldEmpty, recent] = listing.map((item) => item.UBID);
    const cutoff = new Date('2024-04-17T10:30:00.000Z');

    /** The listing's transfers at their times; documents at the times given, by UBID. */
    async function store(documents: Record<string, [uniqueId: string, when: string][]>): Promise<void> {
      for (const { UBID, state, when } of listing) {
        await inTransaction(() => repository.upsert({ ...transfer, UBID }));
        await db.sql(`UPDATE "sms_transfers" SET "state" = ?, "when" = ? WHERE "UBID" = ?`, [state, when, UBID]);
        for (const [uniqueId, documentWhen] of documents[UBID] ?? []) {
          await insertDocument(UBID, uniqueId);
          await db.sql(`UPDATE "sms_documents" SET "when" = ? WHERE "UBID" = ? AND "uniqueId" = ?`, [documentWhen, UBID, uniqueId]);
        }
      }
    }
    const remaining = async () =>
      (await db.sql<{ UBID: string; uniqueId: string }>('SELECT "UBID", "uniqueId" FROM "sms_documents" ORDER BY "UBID", "uniqueId"')).map(
        ({ UBID, uniqueId }) => `${UBID.slice(0, 1)}:${uniqueId}`,
      );

    beforeEach(() =>
      store({
        [oldest]: [
          ['a', '2024-04-17 07:00:00'],
          ['b', '2024-04-17 07:00:00'],
          ['c', '2024-04-17 10:29:59'],
        ],
        [withRecentDocument]: [
          ['a', '2024-04-17 07:00:00'],
          ['b', '2024-04-17 10:30:00'],
        ],
        [recent]: [['a', '2024-04-17 07:00:00']],
      }),
    );

    it('finds the transfers that, with all their documents, have not changed since the time, in UBID order', async () => {
      expect(await db.unitOfWork.read(() => repository.findExpired({ before: cutoff, limit: 10 }))).toEqual([oldest, oldEmpty]);
    });

    it('answers in UBID order, whatever order the transfers were stored in', async () => {
      const storedLast = ['9', '8', '7'].map(
        (digit) => `${digit.repeat(8)}-${digit.repeat(4)}-4${digit.repeat(3)}-8${digit.repeat(3)}-${digit.repeat(12)}`,
      );
      for (const UBID of storedLast) {
        await inTransaction(() => repository.upsert({ ...transfer, UBID }));
        await db.sql(`UPDATE "sms_transfers" SET "when" = ? WHERE "UBID" = ?`, ['2024-04-17 07:00:00', UBID]);
      }

      const expired = await db.unitOfWork.read(() => repository.findExpired({ before: cutoff, limit: 10 }));

      expect(expired).toEqual([oldest, oldEmpty, ...storedLast.reverse()]);
    });

    it('finds them in one state, a page at a time after a UBID', async () => {
      const find = (query: { state?: TrackingState; after?: string; limit: number }) =>
        db.unitOfWork.read(() => repository.findExpired({ before: cutoff, ...query }));

      expect(await find({ state: TrackingState.SENT, limit: 10 })).toEqual([oldEmpty]);
      expect(await find({ limit: 1 })).toEqual([oldest]);
      expect(await find({ after: oldest, limit: 1 })).toEqual([oldEmpty]);
      expect(await find({ after: oldEmpty, limit: 1 })).toEqual([]);
    });

    it('counts a transfer or a document changed at the time itself as changed', async () => {
      const expiredBefore = (time: string) => db.unitOfWork.read(() => repository.findExpired({ before: new Date(time), limit: 10 }));

      expect(await expiredBefore('2024-04-17T10:29:59.000Z')).toEqual([oldEmpty]);
      expect(await expiredBefore('2024-04-17T10:00:00.000Z')).toEqual([]);
    });

    it("deletes at most `limit` of a transfer's documents older than the time per statement", async () => {
      const deleteOld = () => db.unitOfWork.writeSingleStatement(() => repository.deleteExpiredDocuments(withRecentDocument, cutoff, 1));

      expect(await deleteOld()).toBe(1);
      expect(await deleteOld()).toBe(0);
      expect(await remaining()).toEqual(['1:a', '1:b', '1:c', '2:b', '4:a']);
      expect(await db.unitOfWork.writeSingleStatement(() => repository.deleteExpiredDocuments(oldest, cutoff, 2))).toBe(2);
      expect(await db.unitOfWork.writeSingleStatement(() => repository.deleteExpiredDocuments(oldest, cutoff, 2))).toBe(1);
      expect(await remaining()).toEqual(['2:b', '4:a']);
    });

    it('deletes a transfer only when it has not changed since the time and has no documents left', async () => {
      const deleteIfExpired = (ubid: string) => db.unitOfWork.writeSingleStatement(() => repository.deleteIfExpired(ubid, cutoff));

      expect(await deleteIfExpired(oldest)).toBe(false);
      expect(await deleteIfExpired(recent)).toBe(false);
      expect(await deleteIfExpired(oldEmpty)).toBe(true);
      await db.unitOfWork.writeSingleStatement(() => repository.deleteExpiredDocuments(oldest, cutoff, 10));
      expect(await deleteIfExpired(oldest)).toBe(true);

      expect(await db.sql('SELECT "UBID" FROM "sms_transfers" ORDER BY "UBID"')).toEqual([{ UBID: withRecentDocument }, { UBID: recent }]);
    });

    it('tells whether a transfer has not changed since the time', async () => {
      const stillExpired = (ubid: string) => inTransaction(() => repository.lockIfExpired(ubid, cutoff));

      expect([await stillExpired(oldest), await stillExpired(oldEmpty), await stillExpired(recent), await stillExpired(UNKNOWN)]).toEqual([
        true,
        true,
        false,
        false,
      ]);
    });

    if (kind === 'postgres') {
      // Another transaction changes an old document and holds it; the delete picks it as old, waits
      // for it, then must check its time again on the version committed meanwhile.
      it('leaves a document whose time another write moved past the cutoff while the delete waited for it', async () => {
        const other = db.dataSource.createQueryRunner();
        await other.startTransaction();
        await other.query(`UPDATE "sms_documents" SET "when" = CURRENT_TIMESTAMP WHERE "UBID" = $1 AND "uniqueId" = 'a'`, [oldest]);

        const deleting = inTransaction(() => repository.deleteExpiredDocuments(oldest, cutoff, 10));
        await untilWaitingForLock(db, 'DELETE FROM "sms_documents"');
        await other.commitTransaction();
        await other.release();

        await expect(deleting).resolves.toBe(2);
        expect(await remaining()).toEqual(['1:a', '2:a', '2:b', '4:a']);
      });
    }
  });

  // SQLite used to store whole seconds and compare the cutoff so: a purge within the second of a change missed it.
  it('finds and deletes a transfer and a document changed a millisecond before the time, and keeps them at the time itself', async () => {
    const documents = new TypeOrmSmsDocumentRepository(db.context);
    await inTransaction(() => repository.upsert(transfer));
    await inTransaction(() => documents.upsertMany(toDocumentBatch(transfer.UBID, [{ uniqueId: 'a', SMScount: 1, data: {} }])));
    const lastChange = Math.max(
      (await inTransaction(() => repository.findByUbid(transfer.UBID)))!.when.getTime(),
      (await inTransaction(() => documents.findOne(transfer.UBID, 'a')))!.when.getTime(),
    );
    const expiredBefore = (time: number) => db.unitOfWork.read(() => repository.findExpired({ before: new Date(time), limit: 10 }));

    expect(await expiredBefore(lastChange)).toEqual([]);
    expect(await expiredBefore(lastChange + 1)).toEqual([transfer.UBID]);
    expect(await inTransaction(() => repository.deleteExpiredDocuments(transfer.UBID, new Date(lastChange), 10))).toBe(0);
    expect(await inTransaction(() => repository.deleteExpiredDocuments(transfer.UBID, new Date(lastChange + 1), 10))).toBe(1);
    expect(await inTransaction(() => repository.deleteIfExpired(transfer.UBID, new Date(lastChange + 1)))).toBe(true);
  });

  it('lets the database refuse a document of an unknown transfer (foreign key)', async () => {
    await expect(insertDocument(UNKNOWN, 'a')).rejects.toThrow(/FOREIGN KEY constraint failed|violates foreign key constraint/);
  });
});
