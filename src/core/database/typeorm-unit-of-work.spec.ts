import { openTestDatabase, TEST_DATABASES, TestDatabase } from '../../../test/helpers/test-database';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

function ubidsFor(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `1b6e4a8c-6a5b-4a43-9b87-${String(index).padStart(12, '0')}`);
}

describe.each(TEST_DATABASES)('TypeOrmUnitOfWork on %s', (kind) => {
  let db: TestDatabase;

  beforeEach(async () => {
    db = await openTestDatabase(kind);
  });
  afterEach(() => db.close());

  const insertTransfers = (...ubids: string[]) =>
    db.context.manager
      .createQueryBuilder()
      .insert()
      .into('sms_transfers')
      .values(ubids.map((UBID) => ({ UBID, fileName: 'f', origName: 'o', documents: 1 })))
      .execute();
  const insertTransfer = (ubid: string) => insertTransfers(ubid);
  const transferCount = async () => (await db.sql<{ n: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "sms_transfers"'))[0].n;

  it('commits when the work succeeds, and answers its result', async () => {
    await expect(db.unitOfWork.run(async () => (await insertTransfer(UBID), 'done'))).resolves.toBe('done');

    expect(await transferCount()).toBe(1);
  });

  it('rolls everything back when the work throws', async () => {
    const work = db.unitOfWork.run(async () => {
      await insertTransfer(UBID);
      throw new Error('second step failed');
    });

    await expect(work).rejects.toThrow('second step failed');
    expect(await transferCount()).toBe(0);
  });

  it('joins the running transaction when called inside one', async () => {
    const work = db.unitOfWork.run(async () => {
      await db.unitOfWork.run(() => insertTransfer(UBID));
      throw new Error('outer work failed');
    });

    await expect(work).rejects.toThrow('outer work failed');
    expect(await transferCount()).toBe(0);
  });

  it('runs 20 overlapping units of work without one failing, each in its own transaction', async () => {
    const outcomes = await Promise.allSettled(
      ubidsFor(20).map((ubid, index) =>
        db.unitOfWork.run(async () => {
          await insertTransfer(ubid);
          // Yield mid-transaction so that, unserialised, the next BEGIN would hit this open transaction.
          await new Promise((resolve) => setTimeout(resolve, 1));
          if (index % 5 === 0) throw new Error(`unit ${index} failed`);
        }),
      ),
    );

    expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(4);
    expect(await transferCount()).toBe(16);
  });

  it('runs a single statement in its own implicit transaction: all of it or nothing', async () => {
    const insertTwo = (second: string) => insertTransfers(UBID, second);

    await expect(db.unitOfWork.runSingleStatement(() => insertTwo(UBID))).rejects.toThrow(/UNIQUE constraint failed|duplicate key value/);
    expect(await transferCount()).toBe(0);

    await db.unitOfWork.runSingleStatement(() => insertTwo(ubidsFor(1)[0]));
    expect(await transferCount()).toBe(2);
  });

  it('takes turns between single statements and transactions', async () => {
    const outcomes = await Promise.allSettled(
      ubidsFor(10).map((ubid, index) =>
        index % 2
          ? db.unitOfWork.runSingleStatement(() => insertTransfer(ubid))
          : db.unitOfWork.run(async () => {
              await insertTransfer(ubid);
              await new Promise((resolve) => setTimeout(resolve, 1));
              throw new Error('rolled back');
            }),
      ),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(Array.from({ length: 10 }, (_, index) => (index % 2 ? 'fulfilled' : 'rejected')));
    expect(await transferCount()).toBe(5);
  });

  if (kind === 'postgres') return;

  it('is needed on SQLite: bare overlapping TypeORM transactions fail', async () => {
    const bare = ubidsFor(2).map((ubid) =>
      db.dataSource.transaction((manager) => db.context.runWith(manager, async () => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        await insertTransfer(ubid);
      })),
    );

    const outcomes = await Promise.allSettled(bare);

    expect(outcomes.some((outcome) => outcome.status === 'rejected' && /within a transaction/.test(String(outcome.reason)))).toBe(true);
  });
});
