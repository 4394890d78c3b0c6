import { AsyncLocalStorage } from 'node:async_hooks';

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

  it('is its own verbose() module, so TypeORM never switches on sqlite3’s costly verbose mode', () => {
    expect(sqliteDriver.verbose()).toBe(sqliteDriver);
  });
});
