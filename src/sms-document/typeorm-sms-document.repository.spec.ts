import { loadTestData } from '../../test/helpers/load-test-data';
import { openTestDatabase, storedJson, storedTime, TEST_DATABASES, TestDatabase } from '../../test/helpers/test-database';
import { IntegrityError } from '../core/database/integrity-error';
import { TrackingState } from '../core/tracking-state';
import { NewSmsTransfer } from '../sms-transfer/sms-transfer.repository';
import { TypeOrmSmsTransferRepository } from '../sms-transfer/typeorm-sms-transfer.repository';
import { NewSmsDocument } from './sms-document.repository';
import { TypeOrmSmsDocumentRepository } from './typeorm-sms-document.repository';

interface TestData {
  transfer: NewSmsTransfer;
  otherUbid: string;
  documents: NewSmsDocument[];
}

interface DocumentRow {
  uniqueId: string;
  state: string;
  SMScount: number;
  when: unknown;
  data: unknown;
}

const LONG_AGO = '2020-01-01 00:00:00';
const isLongAgo = (when: unknown) => storedTime(when).toISOString() === '2020-01-01T00:00:00.000Z';

const { transfer, otherUbid, documents } = loadTestData<TestData>(__filename);
const UBID = transfer.UBID;

const upserts = (queries: string[]) => queries.filter((sql) => sql.startsWith('INSERT INTO "sms_documents"'));

function manyDocuments(count: number): NewSmsDocument[] {
  return Array.from({ length: count }, (_, index) => ({ uniqueId: `d${index}`, SMScount: 1, data: { index } }));
}

describe.each(TEST_DATABASES)('TypeOrmSmsDocumentRepository on %s', (kind) => {
  let db: TestDatabase;
  let repository: TypeOrmSmsDocumentRepository;
  const inTransaction = <T>(work: () => Promise<T>) => db.unitOfWork.run(work);
  const rows = (ubid = UBID) =>
    db.sql<DocumentRow>(`SELECT "uniqueId", "state", "SMScount", "when", "data" FROM "sms_documents" WHERE "UBID" = ? ORDER BY "uniqueId"`, [ubid]);

  beforeEach(async () => {
    db = await openTestDatabase(kind);
    repository = new TypeOrmSmsDocumentRepository(db.context);
    const transfers = new TypeOrmSmsTransferRepository(db.context);
    await inTransaction(() => transfers.upsert(transfer));
    await inTransaction(() => transfers.upsert({ ...transfer, UBID: otherUbid }));
  });
  afterEach(() => db.close());

  describe('upsertMany', () => {
    it('stores the documents with state INIT, the time and their data exactly as sent', async () => {
      expect(await inTransaction(() => repository.upsertMany(UBID, documents))).toBe(3);

      const stored = await rows();
      expect(stored.map(({ uniqueId, state, SMScount }) => ({ uniqueId, state, SMScount }))).toEqual(
        documents.map(({ uniqueId, SMScount }) => ({ uniqueId, state: 'INIT', SMScount })),
      );
      expect(stored.map((row) => storedJson(row.data))).toEqual(documents.map((document) => document.data));
      expect(Math.abs(Date.now() - storedTime(stored[0].when).getTime())).toBeLessThan(5_000);
    });

    it('resets an existing document to INIT and now, with the new values', async () => {
      await inTransaction(() => repository.upsertMany(UBID, documents));
      await db.sql(`UPDATE "sms_documents" SET "state" = 'DONE', "when" = ?`, [LONG_AGO]);

      const changed = { uniqueId: documents[0].uniqueId, SMScount: 5, data: { replaced: true } };
      expect(await inTransaction(() => repository.upsertMany(UBID, [changed]))).toBe(1);

      const [first, second] = await rows();
      expect(first).toMatchObject({ uniqueId: changed.uniqueId, state: 'INIT', SMScount: 5 });
      expect(storedJson(first.data)).toEqual({ replaced: true });
      expect(isLongAgo(first.when)).toBe(false);
      expect(second.state).toBe('DONE');
      expect(isLongAgo(second.when)).toBe(true);
    });

    it('writes 5000 documents with one statement', async () => {
      const before = db.queries.length;

      expect(await inTransaction(() => repository.upsertMany(UBID, manyDocuments(5000)))).toBe(5000);

      expect(upserts(db.queries.slice(before))).toHaveLength(1);
      expect(await inTransaction(() => repository.countByUbid(UBID))).toBe(5000);
    });

    it('writes more documents than SQLite has bound variables for, still with one statement', async () => {
      const before = db.queries.length;

      expect(await inTransaction(() => repository.upsertMany(UBID, manyDocuments(40_000)))).toBe(40_000);

      expect(upserts(db.queries.slice(before))).toHaveLength(1);
      expect(await inTransaction(() => repository.countByUbid(UBID))).toBe(40_000);
    });

    it('throws an IntegrityError for an unknown UBID and stores nothing', async () => {
      const unknown = '6f1c9a52-2d7e-4c1b-8d3a-000000000000';

      const failure = inTransaction(() => repository.upsertMany(unknown, documents));

      await expect(failure).rejects.toBeInstanceOf(IntegrityError);
      await expect(failure).rejects.toMatchObject({ reason: expect.stringMatching(/FOREIGN KEY constraint failed|violates foreign key constraint/) });
      expect(await db.sql('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "sms_documents"')).toEqual([{ n: 0 }]);
    });

    it('throws an IntegrityError for a value the column cannot hold, where the engine checks', async () => {
      const tooLong = [{ uniqueId: '12345678901', SMScount: 1, data: {} }];
      const write = inTransaction(() => repository.upsertMany(UBID, tooLong));

      // SQLite does not enforce VARCHAR lengths (validation does, before the repository); PostgreSQL does.
      if (kind === 'postgres') {
        await expect(write).rejects.toMatchObject({ name: 'IntegrityError', reason: expect.stringContaining('value too long') });
      } else {
        await expect(write).resolves.toBe(1);
      }
    });

    it('passes other database errors on unchanged', async () => {
      await db.sql('DROP TABLE "sms_documents"');

      await expect(inTransaction(() => repository.upsertMany(UBID, documents))).rejects.toThrow(
        /no such table: sms_documents|relation "sms_documents" does not exist/,
      );
    });
  });

  describe('countByUbid', () => {
    it('counts the documents of one batch only', async () => {
      await inTransaction(() => repository.upsertMany(UBID, documents));
      await inTransaction(() => repository.upsertMany(otherUbid, documents.slice(0, 1)));

      expect(await inTransaction(() => repository.countByUbid(UBID))).toBe(3);
      expect(await inTransaction(() => repository.countByUbid(otherUbid))).toBe(1);
    });

    it('answers 0 for a batch without documents', async () => {
      expect(await inTransaction(() => repository.countByUbid(UBID))).toBe(0);
    });
  });

  describe('updateStateByUbid', () => {
    it('moves every document of the batch, and only those, to the state and the time', async () => {
      await inTransaction(() => repository.upsertMany(UBID, documents));
      await inTransaction(() => repository.upsertMany(otherUbid, documents));
      await db.sql(`UPDATE "sms_documents" SET "when" = ?`, [LONG_AGO]);

      expect(await inTransaction(() => repository.updateStateByUbid(UBID, TrackingState.SENT))).toBe(3);

      for (const row of await rows()) {
        expect([row.state, isLongAgo(row.when)]).toEqual(['SENT', false]);
      }
      for (const row of await rows(otherUbid)) {
        expect([row.state, isLongAgo(row.when)]).toEqual(['INIT', true]);
      }
    });

    it('answers 0 for a batch without documents', async () => {
      expect(await inTransaction(() => repository.updateStateByUbid(UBID, TrackingState.DONE))).toBe(0);
    });
  });
});
