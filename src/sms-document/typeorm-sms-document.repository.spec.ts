import { EntityManager } from 'typeorm';

import { loadTestData } from '../../test/helpers/load-test-data';
import {
  describeEachDatabase,
  openTestDatabase,
  storedJson,
  storedTime,
  TEST_DATABASES,
  TestDatabase,
} from '../../test/helpers/test-database';
import { IntegrityError } from '../core/database/integrity-error';
import { NewSmsTransfer } from '../sms-transfer/domain/sms-transfer';
import { TypeOrmSmsTransferRepository } from '../sms-transfer/typeorm-sms-transfer.repository';
import { TrackingState } from '../tracking/tracking-state';
import { toDocumentBatch } from './domain/document-batch';
import { NewSmsDocument } from './domain/sms-document';
import { TypeOrmSmsDocumentRepository } from './typeorm-sms-document.repository';

interface TrackedDocument {
  uniqueId: string;
  state: TrackingState;
  when: string;
}

interface TestData {
  transfer: NewSmsTransfer;
  otherUbid: string;
  documents: NewSmsDocument[];
  /** Documents in every state, with ids that need care in SQL and in URLs. */
  tracked: TrackedDocument[];
  trackedSummary: { counts: Record<TrackingState, number>; lastChange: string };
}

interface DocumentRow {
  uniqueId: string;
  state: string;
  SMScount: number;
  when: unknown;
  data: unknown;
}

/** The delivery fields of a document no submission or receipt has touched. */
const NO_DELIVERY = { gateway: null, messageId: null, outcome: null, errorCode: null, doneAt: null };
const LONG_AGO = '2020-01-01 00:00:00';
const MIB = 1024 * 1024;
const isLongAgo = (when: unknown) => storedTime(when).toISOString() === '2020-01-01T00:00:00.000Z';

const { transfer, otherUbid, documents, tracked, trackedSummary } = loadTestData<TestData>(__filename);
const UBID = transfer.UBID;

// On PostgreSQL the statements begin with the transfer's lock (WITH "transfer" AS …).
const upserts = (queries: string[]) => queries.filter((sql) => sql.includes('INSERT INTO "sms_documents"'));
const updates = (queries: string[]) => queries.filter((sql) => sql.includes('UPDATE "sms_documents"'));
const byUniqueId = (a: { uniqueId: string }, b: { uniqueId: string }) => (a.uniqueId < b.uniqueId ? -1 : 1);
const trackedIn = (state: TrackingState) => tracked.filter((document) => document.state === state).map((document) => document.uniqueId);

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Filter?: string;
  'Index Cond'?: string;
  'Recheck Cond'?: string;
  Plans?: PlanNode[];
}

/** The nodes that read or change the one table: anything else (a join, a set-returning function, a subquery) is a second input. */
const SINGLE_TABLE_NODES = [
  'ModifyTable',
  'Seq Scan',
  'Index Scan',
  'Index Only Scan',
  'Bitmap Heap Scan',
  'Bitmap Index Scan',
  'BitmapAnd',
  'BitmapOr',
];

/** Every node of a PostgreSQL plan (`EXPLAIN (FORMAT JSON)`), the root first. */
const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

function manyDocuments(count: number): NewSmsDocument[] {
  return Array.from({ length: count }, (_, index) => ({ uniqueId: `d${index}`, SMScount: 1, data: { index } }));
}

describeEachDatabase(TEST_DATABASES, 'TypeOrmSmsDocumentRepository on %s', (kind) => {
  let db: TestDatabase;
  let repository: TypeOrmSmsDocumentRepository;
  const inTransaction = <T>(work: () => Promise<T>) => db.unitOfWork.write(work);
  /** An upload of these documents, as the service hands it to the repository. */
  const upsert = (ubid: string, documents: NewSmsDocument[]) => repository.upsertMany(toDocumentBatch(ubid, documents));
  const rows = (ubid = UBID) =>
    db.sql<DocumentRow>(
      `SELECT "uniqueId", "state", "SMScount", "when", "data" FROM "sms_documents" WHERE "UBID" = ? ORDER BY "uniqueId"`,
      [ubid],
    );
  /** The tracked documents stored with their states and times, and one of them in the other batch too. */
  async function storeTracked(): Promise<void> {
    const asNew = tracked.map(({ uniqueId }) => ({ uniqueId, SMScount: 1, data: { uniqueId } }));
    await inTransaction(() => upsert(UBID, asNew));
    await inTransaction(() => upsert(otherUbid, asNew.slice(0, 1)));
    for (const { uniqueId, state, when } of tracked) {
      await db.sql(`UPDATE "sms_documents" SET "state" = ?, "when" = ? WHERE "UBID" = ? AND "uniqueId" = ?`, [state, when, UBID, uniqueId]);
    }
  }
  /** Each tracked document's state, and whether its time is still the one storeTracked() gave it. */
  async function trackedNow(): Promise<[string, string, boolean][]> {
    const storedWhen = new Map(tracked.map(({ uniqueId, when }) => [uniqueId, storedTime(when).getTime()]));
    return (await rows()).map(({ uniqueId, state, when }) => [uniqueId, state, storedTime(when).getTime() === storedWhen.get(uniqueId)]);
  }
  const unchangedTracked = () =>
    [...tracked].sort(byUniqueId).map(({ uniqueId, state }): [string, string, boolean] => [uniqueId, state, true]);

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
      expect(await inTransaction(() => upsert(UBID, documents))).toBe(3);

      const stored = await rows();
      expect(stored.map(({ uniqueId, state, SMScount }) => ({ uniqueId, state, SMScount }))).toEqual(
        documents.map(({ uniqueId, SMScount }) => ({ uniqueId, state: 'INIT', SMScount })),
      );
      expect(stored.map((row) => storedJson(row.data))).toEqual(documents.map((document) => document.data));
      expect(Math.abs(Date.now() - storedTime(stored[0].when).getTime())).toBeLessThan(5_000);
    });

    it('resets an existing document to INIT and now, with the new values', async () => {
      await inTransaction(() => upsert(UBID, documents));
      await db.sql(`UPDATE "sms_documents" SET "state" = 'DONE', "when" = ?`, [LONG_AGO]);

      const changed = { uniqueId: documents[0].uniqueId, SMScount: 5, data: { replaced: true } };
      expect(await inTransaction(() => upsert(UBID, [changed]))).toBe(1);

      const [first, second] = await rows();
      expect(first).toMatchObject({ uniqueId: changed.uniqueId, state: 'INIT', SMScount: 5 });
      expect(storedJson(first.data)).toEqual({ replaced: true });
      expect(isLongAgo(first.when)).toBe(false);
      expect(second.state).toBe('DONE');
      expect(isLongAgo(second.when)).toBe(true);
    });

    it("clears a re-uploaded document's outcome, error code and done time with its state, and its message id when the upload names none", async () => {
      await inTransaction(() => upsert(UBID, documents));
      await db.sql(
        `UPDATE "sms_documents" SET "state" = 'DONE', "gateway" = 'jasmin', "messageId" = "uniqueId", "outcome" = 'failed', "errorCode" = '011', "doneAt" = ?`,
        [LONG_AGO],
      );

      await inTransaction(() => upsert(UBID, documents.slice(0, 1)));

      const {
        items: [first, second],
      } = await inTransaction(() => repository.findPage(UBID, { limit: 2 }));
      expect(first).toMatchObject({ state: 'INIT', ...NO_DELIVERY });
      expect(second).toMatchObject({
        state: 'DONE',
        gateway: 'jasmin',
        messageId: documents[1].uniqueId,
        outcome: 'failed',
        errorCode: '011',
        doneAt: new Date('2020-01-01T00:00:00.000Z'),
      });
    });

    describe('message ids', () => {
      const withId = (document: NewSmsDocument, gateway: string, messageId: string) => ({ ...document, gateway, messageId });
      const ids = async (ubid = UBID) =>
        (await inTransaction(() => repository.findPage(ubid, { limit: 10 }))).items.map(({ uniqueId, gateway, messageId }) => ({
          uniqueId,
          gateway,
          messageId,
        }));

      it('stores the ids an upload names as sent, and none for the documents that name none', async () => {
        await inTransaction(() =>
          upsert(UBID, [withId(documents[0], 'jasmin', 'Msg-1'), documents[1], withId(documents[2], 'kannel', 'Msg-1')]),
        );

        expect(await ids()).toEqual([
          { uniqueId: documents[0].uniqueId, gateway: 'jasmin', messageId: 'Msg-1' },
          { uniqueId: documents[1].uniqueId, gateway: null, messageId: null },
          { uniqueId: documents[2].uniqueId, gateway: 'kannel', messageId: 'Msg-1' },
        ]);
      });

      it('gives a re-uploaded document the ids its new upload names', async () => {
        await inTransaction(() => upsert(UBID, [withId(documents[0], 'jasmin', 'msg-1'), documents[1]]));

        await inTransaction(() => upsert(UBID, [withId(documents[0], 'twilio', 'SM1'), withId(documents[1], 'jasmin', 'msg-2')]));

        expect(await ids()).toEqual([
          { uniqueId: documents[0].uniqueId, gateway: 'twilio', messageId: 'SM1' },
          { uniqueId: documents[1].uniqueId, gateway: 'jasmin', messageId: 'msg-2' },
        ]);
      });

      it('throws an IntegrityError for an id another document of the gateway holds, whatever its case (the unique index), and stores nothing', async () => {
        await inTransaction(() => upsert(otherUbid, [withId(documents[0], 'jasmin', 'msg-1')]));

        const failure = inTransaction(() => upsert(UBID, [documents[1], withId(documents[0], 'jasmin', 'MSG-1')]));

        await expect(failure).rejects.toBeInstanceOf(IntegrityError);
        await expect(failure).rejects.toMatchObject({
          reason: expect.stringMatching(
            /UNIQUE constraint failed|duplicate key value violates unique constraint "IDX_sms_documents_gateway_messageId"/,
          ),
        });
        expect(await rows()).toEqual([]);
      });
    });

    it('writes 5000 documents with one statement', async () => {
      const before = db.queries.length;

      expect(await inTransaction(() => upsert(UBID, manyDocuments(5000)))).toBe(5000);

      expect(upserts(db.queries.slice(before))).toHaveLength(1);
      expect(await inTransaction(() => repository.countByUbid(UBID))).toBe(5000);
    });

    it('writes more documents than SQLite has bound variables for, still with one statement', async () => {
      const before = db.queries.length;

      expect(await inTransaction(() => upsert(UBID, manyDocuments(40_000)))).toBe(40_000);

      expect(upserts(db.queries.slice(before))).toHaveLength(1);
      expect(await inTransaction(() => repository.countByUbid(UBID))).toBe(40_000);
    });

    it('throws an IntegrityError for an unknown UBID and stores nothing', async () => {
      const unknown = '6f1c9a52-2d7e-4c1b-8d3a-000000000000';

      const failure = inTransaction(() => upsert(unknown, documents));

      await expect(failure).rejects.toBeInstanceOf(IntegrityError);
      await expect(failure).rejects.toMatchObject({
        reason: expect.stringMatching(/FOREIGN KEY constraint failed|violates foreign key constraint/),
      });
      expect(await db.sql('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "sms_documents"')).toEqual([{ n: 0 }]);
    });

    it('throws an IntegrityError for a value the column cannot hold, where the engine checks', async () => {
      const tooLong = [{ uniqueId: '12345678901', SMScount: 1, data: {} }];
      const write = inTransaction(() => upsert(UBID, tooLong));

      // SQLite does not enforce VARCHAR lengths (validation does, before the repository); PostgreSQL does.
      if (kind === 'postgres') {
        await expect(write).rejects.toMatchObject({ name: 'IntegrityError', reason: expect.stringContaining('value too long') });
      } else {
        await expect(write).resolves.toBe(1);
      }
    });

    it('passes other database errors on unchanged', async () => {
      await db.sql('DROP TABLE "sms_documents"');

      await expect(inTransaction(() => upsert(UBID, documents))).rejects.toThrow(
        /no such table: sms_documents|relation "sms_documents" does not exist/,
      );
    });
  });

  describe('countByUbid', () => {
    it('counts the documents of one batch only', async () => {
      await inTransaction(() => upsert(UBID, documents));
      await inTransaction(() => upsert(otherUbid, documents.slice(0, 1)));

      expect(await inTransaction(() => repository.countByUbid(UBID))).toBe(3);
      expect(await inTransaction(() => repository.countByUbid(otherUbid))).toBe(1);
    });

    it('answers 0 for a batch without documents', async () => {
      expect(await inTransaction(() => repository.countByUbid(UBID))).toBe(0);
    });

    it('tells whether a batch has any document', async () => {
      await inTransaction(() => upsert(otherUbid, documents.slice(0, 1)));

      expect([
        await inTransaction(() => repository.hasDocuments(otherUbid)),
        await inTransaction(() => repository.hasDocuments(UBID)),
      ]).toEqual([true, false]);
    });
  });

  describe('updateStateByUbid', () => {
    it('moves every document of the batch, and only those, to the state and the time', async () => {
      await inTransaction(() => upsert(UBID, documents));
      await inTransaction(() => upsert(otherUbid, documents));
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

    it('moves only the documents behind the state, leaving those in it or further along untouched', async () => {
      await storeTracked();

      expect(await inTransaction(() => repository.updateStateByUbid(UBID, TrackingState.SENT))).toBe(trackedIn(TrackingState.INIT).length);

      const expected = unchangedTracked().map(([uniqueId, state, same]): [string, string, boolean] =>
        state === 'INIT' ? [uniqueId, 'SENT', false] : [uniqueId, state, same],
      );
      expect(await trackedNow()).toEqual(expected);
    });

    it('moves nothing back to INIT, without sending an UPDATE', async () => {
      await storeTracked();
      const before = db.queries.length;

      expect(await inTransaction(() => repository.updateStateByUbid(UBID, TrackingState.INIT))).toBe(0);
      expect(updates(db.queries.slice(before))).toEqual([]);
      expect(await trackedNow()).toEqual(unchangedTracked());
    });
  });

  describe('countStates', () => {
    it("counts one batch's documents per state, with the latest time among them", async () => {
      await storeTracked();

      const summary = await inTransaction(() => repository.countStates(UBID));

      expect({ counts: summary.counts, lastChange: summary.lastChange?.toISOString() }).toEqual(trackedSummary);
    });

    it('counts no outcomes while no document has one', async () => {
      await storeTracked();

      expect((await inTransaction(() => repository.countStates(UBID))).delivery).toBeUndefined();
    });

    it("counts the DONE documents' outcomes, every outcome named, and their error codes", async () => {
      await storeTracked();
      await db.sql(`UPDATE "sms_documents" SET "outcome" = 'failed', "errorCode" = '011' WHERE "UBID" = ? AND "uniqueId" = 'a/1'`, [UBID]);
      await db.sql(`UPDATE "sms_documents" SET "outcome" = 'delivered' WHERE "UBID" = ? AND "uniqueId" = 'd.5'`, [UBID]);

      const { counts, delivery } = await inTransaction(() => repository.countStates(UBID));

      expect(counts).toEqual(trackedSummary.counts);
      expect(delivery).toEqual({
        outcomes: { delivered: 1, failed: 1, expired: 0, rejected: 0, unknown: 0 },
        errorCodes: { '011': 1 },
      });
    });

    it('counts an error code named as every object’s prototype like any other', async () => {
      await storeTracked();
      await db.sql(`UPDATE "sms_documents" SET "outcome" = 'failed', "errorCode" = '__proto__' WHERE "UBID" = ? AND "uniqueId" = 'a/1'`, [
        UBID,
      ]);

      const { delivery } = await inTransaction(() => repository.countStates(UBID));

      expect(JSON.stringify(delivery?.errorCodes)).toBe('{"__proto__":1}');
    });

    it.each(Object.values(TrackingState))(
      'finds the latest time when the newest document is in %s, whichever group the engine answers last',
      async (state) => {
        await storeTracked();
        const [{ uniqueId }] = tracked.filter((document) => document.state === state);
        await db.sql(`UPDATE "sms_documents" SET "when" = ? WHERE "UBID" = ? AND "uniqueId" = ?`, ['2024-04-17 10:00:00', UBID, uniqueId]);

        const { lastChange } = await inTransaction(() => repository.countStates(UBID));

        expect(lastChange?.toISOString()).toBe('2024-04-17T10:00:00.000Z');
      },
    );

    it('answers zeros and no time for a batch without documents', async () => {
      expect(await inTransaction(() => repository.countStates(UBID))).toEqual({ counts: { INIT: 0, SENT: 0, DONE: 0 }, lastChange: null });
    });
  });

  describe('findPage', () => {
    beforeEach(storeTracked);

    /** Every page from the first to the one whose next is null, as the uniqueIds on each. */
    async function pages(limit: number, state?: TrackingState): Promise<string[][]> {
      const all: string[][] = [];
      let after: string | undefined;
      do {
        const page = await inTransaction(() => repository.findPage(UBID, { limit, state, after }));
        all.push(page.items.map((item) => item.uniqueId));
        after = page.next ?? undefined;
        // Pages that never end (an order lost) fail here rather than at the test's timeout.
        if (all.length > tracked.length) throw new Error(`more pages than documents: ${JSON.stringify(all)}`);
      } while (after !== undefined);
      return all;
    }

    it('pages through the whole batch in uniqueId order, next null on the last page', async () => {
      expect(await pages(3)).toEqual([['a/1', 'a?2', 'b 3'], ['c%4', 'd.5', "e'6"], ['f"7']]);
    });

    it('pages through one state only, without an empty page when the last one is full', async () => {
      expect(await pages(2, TrackingState.SENT)).toEqual([['a?2', 'c%4'], ['f"7']]);
      expect(await pages(3, TrackingState.SENT)).toEqual([['a?2', 'c%4', 'f"7']]);
    });

    it('starts after the given uniqueId, exclusive, and lists items without data', async () => {
      const page = await inTransaction(() => repository.findPage(UBID, { limit: 1, state: TrackingState.DONE, after: 'a/1' }));

      expect(page).toEqual({
        items: [{ uniqueId: 'd.5', state: 'DONE', SMScount: 1, when: new Date('2024-04-17T09:10:00.000Z'), ...NO_DELIVERY }],
        next: null,
      });
    });

    it('answers an empty last page for a batch without documents in the state', async () => {
      expect(await inTransaction(() => repository.findPage(otherUbid, { limit: 10, state: TrackingState.DONE }))).toEqual({
        items: [],
        next: null,
      });
    });
  });

  describe('findPageWithData', () => {
    beforeEach(storeTracked);

    it('pages through one state in uniqueId order, each document with its UBID and data', async () => {
      const first = await inTransaction(() => repository.findPageWithData(UBID, { limit: 2, state: TrackingState.SENT, maxBytes: MIB }));
      const last = await inTransaction(() =>
        repository.findPageWithData(UBID, { limit: 2, state: TrackingState.SENT, after: first.next!, maxBytes: MIB }),
      );

      expect(first).toEqual({
        items: [
          { UBID, uniqueId: 'a?2', state: 'SENT', SMScount: 1, when: new Date('2024-04-17T09:30:00.000Z'), data: { uniqueId: 'a?2' } },
          { UBID, uniqueId: 'c%4', state: 'SENT', SMScount: 1, when: new Date('2024-04-17T09:45:00.000Z'), data: { uniqueId: 'c%4' } },
        ],
        next: 'c%4',
      });
      expect(last).toEqual({
        items: [
          { UBID, uniqueId: 'f"7', state: 'SENT', SMScount: 1, when: new Date('2024-04-17T09:20:00.000Z'), data: { uniqueId: 'f"7' } },
        ],
        next: null,
      });
    });

    it('lists every state without a filter, and only the batch asked for', async () => {
      const page = await inTransaction(() => repository.findPageWithData(otherUbid, { limit: 10, maxBytes: MIB }));

      expect(page.items.map(({ UBID: ubid, uniqueId }) => [ubid, uniqueId])).toEqual([[otherUbid, 'a/1']]);
    });
  });

  describe('findPageWithData, bounded by bytes', () => {
    afterEach(() => jest.restoreAllMocks());
    /** A document whose data is `bytes` bytes as JSON text: {"t":"xx…"} is 8 bytes around the text. */
    const sized = (uniqueId: string, bytes: number): NewSmsDocument => ({ uniqueId, SMScount: 1, data: { t: 'x'.repeat(bytes - 8) } });
    /** Every page from the first on, each as its uniqueIds, and the `next` of each. */
    async function pagesOf(limit: number, maxBytes: number): Promise<{ pages: string[][]; nexts: (string | null)[] }> {
      const pages: string[][] = [];
      const nexts: (string | null)[] = [];
      let after: string | undefined;
      do {
        const page = await inTransaction(() => repository.findPageWithData(UBID, { limit, after, maxBytes }));
        pages.push(page.items.map(({ uniqueId }) => uniqueId));
        nexts.push(page.next);
        after = page.next ?? undefined;
      } while (after !== undefined);
      return { pages, nexts };
    }

    it('makes small pages of big documents: as many as fit in maxBytes, and one alone when it is bigger', async () => {
      await inTransaction(() =>
        upsert(UBID, [
          sized('a', 400),
          sized('b', 300),
          sized('c', 300),
          sized('d', 1200),
          sized('e', 100),
          sized('f', 600),
          sized('g', 300),
        ]),
      );

      expect(await pagesOf(1000, 1000)).toEqual({
        pages: [['a', 'b', 'c'], ['d'], ['e', 'f', 'g']],
        nexts: ['c', 'd', null],
      });
      const [first] = (await inTransaction(() => repository.findPageWithData(UBID, { limit: 1000, maxBytes: 1000 }))).items;
      expect(first).toEqual({ UBID, uniqueId: 'a', state: 'INIT', SMScount: 1, when: expect.any(Date), data: sized('a', 400).data });
    });

    it('fills the pages of many small documents up to their limit', async () => {
      await inTransaction(() => upsert(UBID, manyDocuments(25)));

      const { pages, nexts } = await pagesOf(10, MIB);

      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(pages.flat()).toEqual(
        manyDocuments(25)
          .map(({ uniqueId }) => uniqueId)
          .sort(),
      );
      expect(nexts).toEqual([pages[0][9], pages[1][9], null]);
    });

    it('counts the bytes of the data as stored, multi-byte characters as their UTF-8 bytes', async () => {
      // {"t":"é…"}: 8 bytes around 100 characters of 2 bytes each.
      const accented = (uniqueId: string): NewSmsDocument => ({ uniqueId, SMScount: 1, data: { t: 'é'.repeat(100) } });
      await inTransaction(() => upsert(UBID, ['a', 'b', 'c'].map(accented)));

      expect((await pagesOf(1000, 2 * 208)).pages).toEqual([['a', 'b'], ['c']]);
      expect((await pagesOf(1000, 2 * 208 - 1)).pages).toEqual([['a'], ['b'], ['c']]);
    });

    it('ends a page early, and the next starts after it, when a document is added in its range between the two reads', async () => {
      await inTransaction(() => upsert(UBID, [sized('a', 100), sized('c', 100), sized('e', 100)]));
      const find = EntityManager.prototype.find;
      // Lets the sizes be read, then adds a document (in the same transaction) before the data is read.
      jest.spyOn(EntityManager.prototype, 'find').mockImplementationOnce(async function (
        this: EntityManager,
        ...args: Parameters<typeof find>
      ) {
        await upsert(UBID, [sized('b', 100)]);
        return find.apply(this, args);
      });

      const first = await inTransaction(() => repository.findPageWithData(UBID, { limit: 1000, maxBytes: MIB }));
      const rest = await inTransaction(() => repository.findPageWithData(UBID, { limit: 1000, after: first.next!, maxBytes: MIB }));

      expect([first.items.map(({ uniqueId }) => uniqueId), first.next]).toEqual([['a', 'b', 'c'], 'c']);
      expect([rest.items.map(({ uniqueId }) => uniqueId), rest.next]).toEqual([['e'], null]);
    });

    it('answers an empty last page for a batch without documents', async () => {
      expect(await inTransaction(() => repository.findPageWithData(UBID, { limit: 10, maxBytes: MIB }))).toEqual({ items: [], next: null });
    });
  });

  describe('findOne', () => {
    it('reads one document with its data, by uniqueId', async () => {
      await inTransaction(() => upsert(UBID, documents));

      const found = await inTransaction(() => repository.findOne(UBID, documents[1].uniqueId));

      expect(found).toEqual({ UBID, ...documents[1], state: 'INIT', when: expect.any(Date), ...NO_DELIVERY });
    });

    it('answers null for a uniqueId the batch does not have', async () => {
      await inTransaction(() => upsert(otherUbid, documents));

      expect(await inTransaction(() => repository.findOne(UBID, documents[0].uniqueId))).toBeNull();
    });
  });

  describe('lockStates', () => {
    it("answers the states of the batch's named documents, leaving out the unknown ones", async () => {
      await storeTracked();

      const states = await inTransaction(() => repository.lockStates(otherUbid, ['a/1', 'b 3', 'nothing']));

      expect([...states]).toEqual([['a/1', 'INIT']]);
    });
  });

  describe('updateStates', () => {
    beforeEach(storeTracked);

    it('moves the named documents behind the state to it, in one statement, and leaves the others untouched', async () => {
      const before = db.queries.length;

      const moved = await inTransaction(() => repository.updateStates(UBID, ['a/1', 'a?2', 'b 3', "e'6", 'unknown'], TrackingState.SENT));

      expect(moved).toBe(2);
      expect(updates(db.queries.slice(before))).toHaveLength(1);
      expect(await trackedNow()).toEqual(
        unchangedTracked().map(([uniqueId, state, same]): [string, string, boolean] =>
          ['b 3', "e'6"].includes(uniqueId) ? [uniqueId, 'SENT', false] : [uniqueId, state, same],
        ),
      );
      expect((await rows(otherUbid)).map((row) => row.state)).toEqual(['INIT']);
    });

    it('takes 5000 uniqueIds in one statement', async () => {
      await inTransaction(() => upsert(UBID, manyDocuments(5000)));
      const before = db.queries.length;

      const moved = await inTransaction(() =>
        repository.updateStates(
          UBID,
          manyDocuments(5000).map((document) => document.uniqueId),
          TrackingState.DONE,
        ),
      );

      expect(moved).toBe(5000);
      expect(updates(db.queries.slice(before))).toHaveLength(1);
    });

    it('moves nothing back to INIT, without sending an UPDATE', async () => {
      const before = db.queries.length;
      expect(
        await inTransaction(() =>
          repository.updateStates(
            UBID,
            tracked.map((document) => document.uniqueId),
            TrackingState.INIT,
          ),
        ),
      ).toBe(0);
      expect(updates(db.queries.slice(before))).toEqual([]);
      expect(await trackedNow()).toEqual(unchangedTracked());
    });
  });

  if (kind !== 'postgres') {
    // PostgreSQL's planner chooses by table statistics, which a test table does not have; docs/tracking.md shows its plans at scale.
    it.each<[string, () => Promise<unknown>, string[]]>([
      [
        'the summary from the tracking index alone',
        () => repository.countStates(UBID),
        ['SEARCH document USING COVERING INDEX IDX_sms_documents_UBID_state_uniqueId_when (UBID=?)'],
      ],
      [
        'a page of one state with a seek in the tracking index',
        () => repository.findPage(UBID, { limit: 10, state: TrackingState.SENT, after: 'a' }),
        ['SEARCH SmsDocumentEntity USING INDEX IDX_sms_documents_UBID_state_uniqueId_when (UBID=? AND state=? AND uniqueId>?)'],
      ],
      [
        'the states of named documents with one primary-key probe each',
        () => repository.lockStates(UBID, ['a/1', 'b 3']),
        ['SCAN ids VIRTUAL TABLE INDEX 1:', 'SEARCH d USING INDEX sqlite_autoindex_sms_documents_1 (UBID=? AND uniqueId=?)'],
      ],
    ])('reads %s on SQLite', async (_name, read, plan) => {
      await storeTracked();
      const before = db.queries.length;
      await inTransaction(read);
      const [query] = db.queries.slice(before).filter((sql) => sql.startsWith('SELECT'));

      // SQLite plans do not depend on the values bound, only on their number.
      const steps = await db.sql<{ detail: string }>(
        `EXPLAIN QUERY PLAN ${query}`,
        Array.from(query.matchAll(/\?/g), () => UBID),
      );

      expect(steps.map((step) => step.detail)).toEqual(plan);
    });
  }

  if (kind === 'postgres') {
    // PostgreSQL's planner chooses among scans by the table's statistics, which a test table does
    // not have; what must not come back is the plan the ids' array replaced (docs/tracking.md): the
    // ids sent as JSON and expanded in a subquery, joined to a batch loaded moments ago, in a nested
    // loop that took 23 s for 5000 receipts. So: the documents scanned once; the ids a constant array;
    // no join. The read locks the transfer's row first (the CTE's one-row read) and the documents in
    // uniqueId order (LockRows, Sort).
    it.each<[string, (uniqueIds: string[]) => Promise<unknown>, string, string[], string[]]>([
      [
        'the receipts’ read',
        (uniqueIds) => repository.lockStates(UBID, uniqueIds),
        'SELECT "uniqueId", "state"',
        ['sms_documents', 'sms_transfers'],
        ['LockRows', 'Sort', 'Result', 'Aggregate', 'CTE Scan'],
      ],
      ['the receipts’ write', (uniqueIds) => repository.updateStates(UBID, uniqueIds, TrackingState.SENT), 'UPDATE', ['sms_documents'], []],
    ])(
      'plans %s of 5000 ids in a batch just loaded as one scan that checks each row against the ids, on PostgreSQL',
      async (_name, receipts, statement, relations, lockNodes) => {
        for (let loaded = 0; loaded < 20_000; loaded += 5000) {
          await inTransaction(() => upsert(UBID, manyDocuments(20_000).slice(loaded, loaded + 5000)));
        }
        const uniqueIds = Array.from({ length: 5000 }, (_, index) => `d${index * 4}`);
        const before = db.statements.length;
        await inTransaction(() => receipts(uniqueIds));
        const [{ query, parameters }] = db.statements.slice(before).filter((recorded) => recorded.query.includes(statement));

        const [
          {
            'QUERY PLAN': [plan],
          },
        ] = await db.dataSource.query(`EXPLAIN (FORMAT JSON) ${query}`, parameters);

        const nodes = planNodes(plan.Plan);
        expect(nodes.map((node) => node['Node Type']).filter((type) => ![...SINGLE_TABLE_NODES, ...lockNodes].includes(type))).toEqual([]);
        expect([...new Set(nodes.flatMap((node) => node['Relation Name'] ?? []))].sort()).toEqual(relations);
        const scans = nodes.filter((node) => node['Relation Name'] === 'sms_documents' && node['Node Type'] !== 'ModifyTable');
        expect(scans).toHaveLength(1);
        // The UBID compared as the column's type, which its indexes serve, not as text.
        expect([scans[0].Filter, scans[0]['Index Cond'], scans[0]['Recheck Cond']].join(' ')).toContain(`"UBID" = '${UBID}'::bpchar`);
        const conditions = nodes.flatMap((node) => [node.Filter, node['Index Cond'], node['Recheck Cond']]).filter(Boolean);
        expect(
          conditions.filter((condition) => condition!.includes(`("uniqueId")::text = ANY ('{${uniqueIds.join(',')}}'::text[])`)),
        ).toHaveLength(1);
      },
    );
  }
});
