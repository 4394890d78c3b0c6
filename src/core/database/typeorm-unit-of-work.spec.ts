import { setTimeout as sleep } from 'node:timers/promises';

import { DataSource } from 'typeorm';

import { describeEachDatabase, openTestDatabase, TEST_DATABASES, TestDatabase } from '../../../test/helpers/test-database';
import { PostgresConfig } from '../config/database-url';
import { Metrics } from '../metrics/metrics';
import { DatabaseUnavailableError } from './database-unavailable';
import { TransactionContext } from './transaction-context';
import { CONFLICT_ATTEMPTS, TypeOrmUnitOfWork } from './typeorm-unit-of-work';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
// A unit of work nested in another that queued for its turn instead of joining would wait for itself
// for ever: such a test fails after 10 s rather than Jest's 30 (the work itself takes milliseconds).
const WAITS_FOR_ITSELF_TIMEOUT_MS = 10_000;

/** The error PostgreSQL's driver gives the transaction it cancels to break a deadlock (the code is what counts). */
const deadlockDetected = () => Object.assign(new Error('deadlock detected'), { code: '40P01' });

/** The retries counted in `metrics`, by conflict. */
async function retriesCounted(metrics: Metrics): Promise<Record<string, number>> {
  return Object.fromEntries((await metrics.writeRetries.get()).values.map(({ labels, value }) => [labels.conflict, value]));
}

function ubidsFor(count: number): string[] {
  return Array.from({ length: count }, (_, index) => `1b6e4a8c-6a5b-4a43-9b87-${String(index).padStart(12, '0')}`);
}

describeEachDatabase(TEST_DATABASES, 'TypeOrmUnitOfWork on %s', (kind) => {
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
  /** Counts inside the running unit of work, on its connection. */
  const countTransfersInUnit = async () => Number((await db.context.manager.query('SELECT COUNT(*) AS n FROM "sms_transfers"'))[0].n);
  const transferCount = async () => (await db.sql<{ n: number }>('SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "sms_transfers"'))[0].n;

  it('tells Prometheus how busy the database is, as far as its engine lets it', async () => {
    const metrics = new Metrics(false);
    await new TypeOrmUnitOfWork(db.dataSource, db.context, db.readers, metrics).write(() => insertTransfer(UBID));

    const published = (await metrics.registry.metrics())
      .split('\n')
      .filter((line) => /^(# HELP )?tracking_(sqlite_write_queue_depth|sqlite_write_queue_wait_seconds_count|postgres_pool_)/.test(line));

    expect(published).toEqual(
      kind === 'postgres'
        ? [
            'tracking_sqlite_write_queue_wait_seconds_count 0',
            '# HELP tracking_postgres_pool_size PostgreSQL: connections open in the pool (DATABASE_POOL_SIZE at most).',
            'tracking_postgres_pool_size 1',
            '# HELP tracking_postgres_pool_idle PostgreSQL: open connections not in use.',
            'tracking_postgres_pool_idle 1',
            '# HELP tracking_postgres_pool_waiting PostgreSQL: requests waiting for a connection.',
            'tracking_postgres_pool_waiting 0',
          ]
        : [
            'tracking_sqlite_write_queue_wait_seconds_count 1',
            '# HELP tracking_sqlite_write_queue_depth SQLite: writes waiting for the write connection or running on it.',
            'tracking_sqlite_write_queue_depth 0',
          ],
    );
  });

  it('commits when the work succeeds, and answers its result', async () => {
    await expect(db.unitOfWork.write(async () => (await insertTransfer(UBID), 'done'))).resolves.toBe('done');

    expect(await transferCount()).toBe(1);
  });

  it('rolls everything back when the work throws', async () => {
    const work = db.unitOfWork.write(async () => {
      await insertTransfer(UBID);
      throw new Error('second step failed');
    });

    await expect(work).rejects.toThrow('second step failed');
    expect(await transferCount()).toBe(0);
  });

  it.each(['write', 'writeSingleStatement'] as const)(
    'joins the running transaction when %s() is called inside one',
    async (method) => {
      const work = db.unitOfWork.write(async () => {
        await db.unitOfWork[method](() => insertTransfer(UBID));
        throw new Error('outer work failed');
      });

      await expect(work).rejects.toThrow('outer work failed');
      expect(await transferCount()).toBe(0);
    },
    WAITS_FOR_ITSELF_TIMEOUT_MS,
  );

  it('runs 20 overlapping units of work without one failing, each in its own transaction', async () => {
    const outcomes = await Promise.allSettled(
      ubidsFor(20).map((ubid, index) =>
        db.unitOfWork.write(async () => {
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

    await expect(db.unitOfWork.writeSingleStatement(() => insertTwo(UBID))).rejects.toThrow(/UNIQUE constraint failed|duplicate key value/);
    expect(await transferCount()).toBe(0);

    await db.unitOfWork.writeSingleStatement(() => insertTwo(ubidsFor(1)[0]));
    expect(await transferCount()).toBe(2);
  });

  it(
    'runs a read inside a write as part of it: the write sees its own changes',
    async () => {
      const seen = await db.unitOfWork.write(async () => {
        await insertTransfer(UBID);
        return db.unitOfWork.read(countTransfersInUnit);
      });

      expect(seen).toBe(1);
    },
    WAITS_FOR_ITSELF_TIMEOUT_MS,
  );

  it.each(['write', 'writeSingleStatement'] as const)(
    'refuses %s() inside a read, and leaves the data as it was',
    async (method) => {
      const work = db.unitOfWork.read(() => db.unitOfWork[method](() => insertTransfer(UBID)));

      await expect(work).rejects.toThrow('UnitOfWork.write() was called inside UnitOfWork.read(): a read may not change data');
      expect(await transferCount()).toBe(0);
    },
    WAITS_FOR_ITSELF_TIMEOUT_MS,
  );

  it('reads what the last write committed as soon as the write has answered', async () => {
    for (const [index, ubid] of ubidsFor(20).entries()) {
      await db.unitOfWork.writeSingleStatement(() => insertTransfer(ubid));
      expect(await db.unitOfWork.read(countTransfersInUnit)).toBe(index + 1);
    }
  });

  it('takes turns between single statements and transactions', async () => {
    const outcomes = await Promise.allSettled(
      ubidsFor(10).map((ubid, index) =>
        index % 2
          ? db.unitOfWork.writeSingleStatement(() => insertTransfer(ubid))
          : db.unitOfWork.write(async () => {
              await insertTransfer(ubid);
              await new Promise((resolve) => setTimeout(resolve, 1));
              throw new Error('rolled back');
            }),
      ),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual(
      Array.from({ length: 10 }, (_, index) => (index % 2 ? 'fulfilled' : 'rejected')),
    );
    expect(await transferCount()).toBe(5);
  });

  it.each(['write', 'writeSingleStatement'] as const)(
    'runs a %s that meets other writes again, and answers 503 once every run has',
    async (method) => {
      const metrics = new Metrics(false);
      const unitOfWork = new TypeOrmUnitOfWork(db.dataSource, db.context, db.readers, metrics);
      let runs = 0;

      const conflicting = unitOfWork[method](async () => {
        runs += 1;
        await insertTransfer(ubidsFor(runs)[runs - 1]);
        throw deadlockDetected();
      });

      const refused = (await conflicting.catch((error: unknown) => error)) as DatabaseUnavailableError;
      expect(refused).toBeInstanceOf(DatabaseUnavailableError);
      // The reason goes to the client; the driver's words only to the log (HttpExceptionFilter).
      expect([refused.reason, (refused.cause as Error).message]).toEqual([
        'other writes to the same rows kept conflicting with this one',
        'deadlock detected',
      ]);
      expect(runs).toBe(CONFLICT_ATTEMPTS);
      expect(await retriesCounted(metrics)).toEqual({ deadlock: CONFLICT_ATTEMPTS - 1 });
      // Each run rolled back, but a single statement's: it has no transaction of its own to roll back.
      expect(await transferCount()).toBe(method === 'write' ? 0 : CONFLICT_ATTEMPTS);
    },
  );

  it('runs a joined unit that met another write again only as part of the unit it joined', async () => {
    const metrics = new Metrics(false);
    const unitOfWork = new TypeOrmUnitOfWork(db.dataSource, db.context, db.readers, metrics);
    let outer = 0;
    let inner = 0;

    const work = unitOfWork.write(async () => {
      outer += 1;
      await unitOfWork.write(async () => {
        inner += 1;
        if (inner === 1) throw deadlockDetected();
        await insertTransfer(UBID);
      });
    });

    await expect(work).resolves.toBeUndefined();
    expect([outer, inner]).toEqual([2, 2]);
    expect(await retriesCounted(metrics)).toEqual({ deadlock: 1 });
    expect(await transferCount()).toBe(1);
  });

  it('passes any other error on at once, without running the unit again', async () => {
    let runs = 0;

    const failing = db.unitOfWork.write(async () => {
      runs += 1;
      throw Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    });

    await expect(failing).rejects.toThrow('duplicate key value');
    expect(runs).toBe(1);
  });

  /** A write held open on a promise: it has inserted a transfer and not committed it until `release()`. */
  async function heldWrite(ubid: string): Promise<{ release: () => void; done: Promise<void> }> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    const done = db.unitOfWork.write(async () => {
      await insertTransfer(ubid);
      inserted();
      await released;
    });
    await insertedYet;
    return { release, done };
  }

  if (kind === 'sqlite::memory:') {
    it('makes a read wait for the write in progress: an in-memory database has only the one connection', async () => {
      const write = await heldWrite(UBID);
      let answered = false;
      const reading = db.unitOfWork.read(countTransfersInUnit).finally(() => (answered = true));

      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(answered).toBe(false);
      write.release();
      await write.done;

      await expect(reading).resolves.toBe(1);
    });
  } else {
    it('answers a read while a write of this process is held open, from the last committed state', async () => {
      await db.unitOfWork.write(() => insertTransfer(ubidsFor(1)[0]));
      const write = await heldWrite(UBID);

      await expect(db.unitOfWork.read(countTransfersInUnit)).resolves.toBe(1);
      await expect(db.unitOfWork.read(countTransfersInUnit)).resolves.toBe(1);

      write.release();
      await write.done;
      await expect(db.unitOfWork.read(countTransfersInUnit)).resolves.toBe(2);
    });

    it('runs each statement of a read on the last commit: no transaction holds an older one', async () => {
      let firstCount!: () => void;
      const counted = new Promise<void>((resolve) => (firstCount = resolve));
      let goOn!: () => void;
      const committed = new Promise<void>((resolve) => (goOn = resolve));
      const reading = db.unitOfWork.read(async () => {
        const before = await countTransfersInUnit();
        firstCount();
        await committed;
        return [before, await countTransfersInUnit()];
      });
      await counted;
      await db.unitOfWork.write(() => insertTransfer(UBID));
      goOn();

      await expect(reading).resolves.toEqual([0, 1]);
    });
  }

  if (kind === 'sqlite-file') {
    it('reads on read-only connections: SQLite refuses a write there', async () => {
      const write = db.readers!.read((manager) =>
        manager.query(`INSERT INTO "sms_transfers" ("UBID", "fileName", "origName", "documents") VALUES (?, 'f', 'o', 1)`, [UBID]),
      );

      await expect(write).rejects.toThrow(/SQLITE_READONLY/);
      expect(await transferCount()).toBe(0);
    });

    it('spreads reads over its connections: a read goes to one that no other read is using', async () => {
      expect(db.readers!.size).toBe(2);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const connectionOf = (hold: boolean) =>
        db.unitOfWork.read(async () => {
          const { connection } = db.context.manager;
          if (hold) await held;
          return connection;
        });

      const first = connectionOf(true);
      const second = await connectionOf(false);
      release();

      expect(second).not.toBe(await first);
      expect(second).not.toBe(db.dataSource);
    });
  }

  if (kind === 'postgres') {
    it("shows the pool's connections as units of work take them, wait for one and give them back", async () => {
      const metrics = new Metrics(false);
      const unitOfWork = new TypeOrmUnitOfWork(db.dataSource, db.context, null, metrics);
      const poolGauges = async () =>
        Object.fromEntries(
          (await metrics.registry.getMetricsAsJSON())
            .filter(({ name }) => name.startsWith('tracking_postgres_pool_'))
            .map(({ name, values }) => [name.replace('tracking_postgres_pool_', ''), values[0].value]),
        );
      const { poolSize } = db.config as PostgresConfig;
      // Every unit holds its connection, in its transaction, until the test lets them all finish.
      let holding = 0;
      let allHoldOne!: () => void;
      const allHolding = new Promise<void>((resolve) => (allHoldOne = resolve));
      let finish!: () => void;
      const finished = new Promise<void>((resolve) => (finish = resolve));
      const units = Array.from({ length: poolSize + 1 }, () =>
        unitOfWork.write(async () => {
          await db.context.manager.query('SELECT 1');
          if ((holding += 1) === poolSize) allHoldOne();
          await finished;
        }),
      );
      await allHolding;
      // The last unit asks the pool for a connection a few ticks after it was started.
      while ((await poolGauges()).waiting === 0) await sleep(5);

      expect(await poolGauges()).toEqual({ size: poolSize, idle: 0, waiting: 1 });

      finish();
      await Promise.all(units);
      expect(await poolGauges()).toEqual({ size: poolSize, idle: poolSize, waiting: 0 });
    });

    it('runs every statement under DATABASE_STATEMENT_TIMEOUT_MS (30 s by default)', async () => {
      await expect(db.unitOfWork.read(() => db.context.manager.query('SHOW statement_timeout'))).resolves.toEqual([
        { statement_timeout: '30s' },
      ]);
    });

    it('runs again the one of two writes that PostgreSQL cancels to break their deadlock: both are stored', async () => {
      const metrics = new Metrics(false);
      const unitOfWork = new TypeOrmUnitOfWork(db.dataSource, db.context, null, metrics);
      const [first, second] = ubidsFor(2);
      await db.unitOfWork.write(() => insertTransfers(first, second));
      // Each unit pauses after its first lock until both hold one: then each waits for the other's row.
      let holding = 0;
      let bothHoldOne!: () => void;
      const bothHolding = new Promise<void>((resolve) => (bothHoldOne = resolve));
      const lockBoth = (column: 'fileName' | 'origName', [one, other]: string[]) =>
        unitOfWork.write(async () => {
          const set = (ubid: string) =>
            db.context.manager.query(`UPDATE "sms_transfers" SET "${column}" = $1 WHERE "UBID" = $2`, [`${column} set`, ubid]);
          await set(one);
          if ((holding += 1) === 2) bothHoldOne();
          await bothHolding;
          await set(other);
        });

      await expect(Promise.all([lockBoth('fileName', [first, second]), lockBoth('origName', [second, first])])).resolves.toEqual([
        undefined,
        undefined,
      ]);

      expect(await retriesCounted(metrics)).toEqual({ deadlock: 1 });
      expect(await db.sql('SELECT "UBID", "fileName", "origName" FROM "sms_transfers" ORDER BY "UBID"')).toEqual([
        { UBID: first, fileName: 'fileName set', origName: 'origName set' },
        { UBID: second, fileName: 'fileName set', origName: 'origName set' },
      ]);
    });

    it('answers a statement cancelled by its timeout as the database being unavailable (503), and rolls back', async () => {
      const slow = db.unitOfWork.write(async () => {
        await insertTransfer(UBID);
        await db.context.manager.query(`SET LOCAL statement_timeout = 50`);
        await db.context.manager.query('SELECT pg_sleep(5)');
      });

      await expect(slow).rejects.toMatchObject({
        name: 'DatabaseUnavailableError',
        reason: 'the database did not finish the statement in time',
      });
      expect(await transferCount()).toBe(0);
    });
    return;
  }

  it('is needed on SQLite: bare overlapping TypeORM transactions fail', async () => {
    const bare = ubidsFor(2).map((ubid) =>
      db.dataSource.transaction((manager) =>
        db.context.runWith(manager, 'write', async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          await insertTransfer(ubid);
        }),
      ),
    );

    const outcomes = await Promise.allSettled(bare);

    expect(outcomes.some((outcome) => outcome.status === 'rejected' && /within a transaction/.test(String(outcome.reason)))).toBe(true);
  });
});

describe('TypeOrmUnitOfWork with metrics on a PostgreSQL DataSource', () => {
  it('needs the DataSource initialized: before, its driver has no pool to watch', () => {
    const uninitialized = new DataSource({ type: 'postgres' });

    expect(() => new TypeOrmUnitOfWork(uninitialized, new TransactionContext(), null, new Metrics(false))).toThrow(
      'TypeOrmUnitOfWork needs an initialized PostgreSQL DataSource: it has no pg Pool',
    );
  });
});
