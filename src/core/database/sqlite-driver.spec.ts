import { AsyncLocalStorage } from 'node:async_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import * as sqlite3 from 'sqlite3';

import { sqliteDriver } from './sqlite-driver';

// A real in-memory database: the loss being guarded against happens in sqlite3's native callbacks.
describe('sqliteDriver', () => {
  const requestContext = new AsyncLocalStorage<string>();
  let database: InstanceType<typeof sqliteDriver.Database>;

  beforeEach(async () => {
    database = new sqliteDriver.Database(':memory:');
    await new Promise<void>((resolve, reject) =>
      database.run('CREATE TABLE t (n INTEGER)', (error: Error | null) => (error ? reject(error) : resolve())),
    );
  });
  afterEach(() => new Promise<void>((resolve) => database.close(() => resolve())));

  it('calls back from run() in the caller’s async context, with the statement’s result as `this`', async () => {
    const seen = await requestContext.run(
      'request-1',
      () =>
        new Promise<{ context?: string; changes: number }>((resolve, reject) =>
          database.run('INSERT INTO t VALUES (?), (?)', [1, 2], function (this: { changes: number }, error: Error | null) {
            if (error) reject(error);
            else resolve({ context: requestContext.getStore(), changes: this.changes });
          }),
        ),
    );

    expect(seen).toEqual({ context: 'request-1', changes: 2 });
  });

  it('calls back from a failing all() in the caller’s async context, where TypeORM logs the failure', async () => {
    const seen = await requestContext.run(
      'request-2',
      () =>
        new Promise<{ context?: string; error: string }>((resolve) =>
          database.all('SELECT * FROM missing', [], (error: Error | null) =>
            resolve({ context: requestContext.getStore(), error: String(error) }),
          ),
        ),
    );

    expect(seen).toEqual({ context: 'request-2', error: 'Error: SQLITE_ERROR: no such table: missing' });
  });

  // Node 20 keeps the context across sqlite3's callbacks even without the binding (Node 24 does not,
  // see above), so these call what the driver passed on themselves, outside the caller's context,
  // as sqlite3's thread would: the last argument is bound when it is a function.
  function argumentsPassedOn(...params: unknown[]): unknown[] {
    const nativeAll = jest.spyOn(sqlite3.Database.prototype, 'all').mockReturnThis();
    database.all('SELECT ?', ...params);
    const passed = nativeAll.mock.calls[0].slice(1) as unknown[];
    nativeAll.mockRestore();
    return passed;
  }

  it.each<[string, (callback: () => void) => unknown[]]>([
    ['after parameters', (callback) => [[1], callback]],
    ['after parameters given one by one', (callback) => [1, 2, callback]],
    ['alone', (callback) => [callback]],
  ])('binds a callback %s to the caller’s async context', (_where, withCallback) => {
    let contextSeen: string | undefined;
    const params = withCallback(() => (contextSeen = requestContext.getStore()));

    const passed = requestContext.run('caller', () => argumentsPassedOn(...params));
    (passed.at(-1) as () => void)();

    expect(passed.slice(0, -1)).toEqual(params.slice(0, -1));
    expect(contextSeen).toBe('caller');
  });

  it('passes arguments without a callback on as they are', () => {
    const params = [1];

    expect(argumentsPassedOn(params)).toEqual([params]);
  });

  it('leaves nothing in the old generation that keeps finished statements’ callbacks, and what they hold, alive through scavenges', async () => {
    setFlagsFromString('--expose-gc');
    const collectYoungGeneration = () => (runInNewContext('gc') as (options: { type: 'minor' }) => void)({ type: 'minor' });
    const oldLargeObjectBytes = () => getHeapSpaceStatistics().find((space) => space.space_name === 'large_object_space')!.space_used_size;
    // Numbers that are not integers, stored unboxed: 8 bytes each.
    const PAYLOAD_NUMBERS = 500_000;
    let promoted = 0;

    for (let statement = 0; statement < 10; statement += 1) {
      await new Promise<void>((resolve, reject) => {
        // Held by the callback alone, as TypeORM's callback holds an upload's batch; big enough to be
        // allocated in the young generation's large-object space, which a scavenge promotes whole.
        const payload = Array.from({ length: PAYLOAD_NUMBERS }, (_, index) => index + 0.5);
        database.run('INSERT INTO t VALUES (?)', [1], (error: Error | null) => (error ? reject(error) : resolve(void payload.length)));
      });
      await new Promise(setImmediate);
      const before = oldLargeObjectBytes();
      collectYoungGeneration();
      if (oldLargeObjectBytes() - before >= PAYLOAD_NUMBERS * 8) promoted += 1;
    }

    // With AsyncResource.bind() (Node 20) 9 of the 10 were promoted. Without, a scavenge may still now
    // and then meet something that held a payload a moment longer (seen once in 10 on Node 24).
    expect(promoted).toBeLessThan(3);
  });

  it('is its own verbose() module, so TypeORM never switches on sqlite3’s costly verbose mode', () => {
    expect(sqliteDriver.verbose()).toBe(sqliteDriver);
  });

  describe('SQL without a statement', () => {
    type SqliteError = Error & { code?: string; errno?: number };
    const failure = (sql: string) => ({
      message: `SQLITE_MISUSE: no statement in the SQL text ${JSON.stringify(sql)}`,
      code: 'SQLITE_MISUSE',
      errno: sqlite3.MISUSE,
    });
    const queried = (method: 'all' | 'run', sql: string, ...params: unknown[]) =>
      new Promise<{ error: SqliteError | null; rows?: unknown[] }>((resolve) =>
        database[method](sql, ...params, (error: SqliteError | null, rows?: unknown[]) => resolve({ error, rows })),
      );
    // The refusal answers on the next tick, so before any statement queued after it: a check that answers
    // nothing fails the test as soon as that statement answers, not at the test's timeout.
    const beforeNextStatement = <T>(answer: Promise<T>) =>
      Promise.race([
        answer,
        new Promise<never>((_, reject) => database.get('SELECT 1', () => reject(new Error('no answer before the next statement')))),
      ]);
    const refused = (method: 'all' | 'run', sql: string, ...params: unknown[]) => beforeNextStatement(queried(method, sql, ...params));

    // Without parameters: sqlite3 answers these with its own SQLITE_MISUSE ("not an error"), so a text the
    // check missed fails this test by its message. With parameters it would end the whole test process.
    it.each([
      '',
      ' \n\t',
      ';',
      ' ; ;',
      '-- a comment',
      '-- one\n-- two\n',
      '/* a comment */',
      '/* never closed',
      '/**/;',
      '/* 2 * 3 */ /* and */',
    ])('fails all(%j) through its callback, saying why', async (sql) => {
      const { error } = await refused('all', sql);

      expect(error).toMatchObject(failure(sql));
    });

    it('fails run() the same way, and with parameters, which sqlite3 would bind to no statement and crash', async () => {
      expect(await refused('run', '')).toMatchObject({ error: failure('') });
      // `;`, which a weakened check still knows: a text it missed would end the test process here.
      expect(await refused('run', ';', [7])).toMatchObject({ error: failure(';') });
    });

    it.each([
      'SELECT ? AS n',
      '-- a comment\nSELECT ? AS n',
      '/* a comment */ SELECT ? AS n',
      '; SELECT ? AS n',
      'SELECT ? AS n -- a comment',
    ])('runs %j, a statement among comments', async (sql) => {
      expect(await queried('all', sql, [7])).toEqual({ error: null, rows: [{ n: 7 }] });
    });

    it('emits the failure as an `error` event when there is no callback, as sqlite3 does', async () => {
      const emitted = new Promise((resolve) => database.once('error', resolve));

      expect(database.all('')).toBe(database);
      expect(await beforeNextStatement(emitted)).toMatchObject(failure(''));
    });

    it('calls back in the caller’s async context', async () => {
      const context = await requestContext.run('request-3', () =>
        beforeNextStatement(new Promise((resolve) => database.run('', () => resolve(requestContext.getStore())))),
      );

      expect(context).toBe('request-3');
    });
  });
});
