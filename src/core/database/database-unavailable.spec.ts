import { QueryFailedError } from 'typeorm';

import {
  DatabaseUnavailableError,
  isDatabaseError,
  isTransientOutage,
  retryAtStartUp,
  unavailabilityReason,
  unavailableAsError,
  writeConflict,
} from './database-unavailable';

/** An error as node-postgres or node-sqlite3 raise it: a message and, often, a code. */
function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('unavailabilityReason', () => {
  it.each([
    [driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), 'the database server cannot be reached'],
    [driverError('read ECONNRESET', 'ECONNRESET'), 'the database server cannot be reached'],
    [driverError('Connection terminated unexpectedly'), 'the database server cannot be reached'],
    [driverError('timeout exceeded when trying to connect'), 'the database server cannot be reached'],
    [
      driverError('terminating connection due to administrator command', '57P01'),
      'the database server is shutting down, starting up or out of connections',
    ],
    [driverError('the database system is starting up', '57P03'), 'the database server is shutting down, starting up or out of connections'],
    [driverError('sorry, too many clients already', '53300'), 'the database server is shutting down, starting up or out of connections'],
    [driverError('canceling statement due to statement timeout', '57014'), 'the database did not finish the statement in time'],
    [driverError('SQLITE_BUSY: database is locked', 'SQLITE_BUSY'), 'the database file is locked by another program'],
    [driverError('SQLITE_IOERR: disk I/O error', 'SQLITE_IOERR'), 'the database file cannot be read or written'],
    [driverError('SQLITE_FULL: database or disk is full', 'SQLITE_FULL'), 'the database file cannot be read or written'],
  ])('names %p as: %s', (error, reason) => {
    expect(unavailabilityReason(error)).toBe(reason);
  });

  // Every code and message the function knows, one case each: a word lost from a list is a class of outage answered 500.
  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '08000', '08P01'])(
    'names the code %s: the server cannot be reached',
    (code) => {
      expect(unavailabilityReason(driverError('failed', code))).toBe('the database server cannot be reached');
    },
  );

  it.each(['57P01', '57P02', '57P03', '53000', '53200'])('names the code %s: the server is shutting down, starting up or full', (code) => {
    expect(unavailabilityReason(driverError('failed', code))).toBe(
      'the database server is shutting down, starting up or out of connections',
    );
  });

  it.each(['57P04', '157P01', '57P011', '54000', '42P01', 'E08', 'SQLITE_ERROR'])('leaves the code %s alone', (code) => {
    expect(unavailabilityReason(driverError('failed', code))).toBeUndefined();
  });

  it.each([
    ['SQLITE_BUSY', 'the database file is locked by another program'],
    ['SQLITE_LOCKED', 'the database file is locked by another program'],
    ...['IOERR', 'CANTOPEN', 'READONLY', 'FULL', 'NOTADB', 'CORRUPT', 'PROTOCOL'].map((word) => [
      `SQLITE_${word}`,
      'the database file cannot be read or written',
    ]),
  ])('names a message with %s', (word, reason) => {
    expect(unavailabilityReason(new Error(`${word}: failed`))).toBe(reason);
  });

  it.each([
    'Connection terminated unexpectedly',
    'connection timeout expired',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error and is not queryable',
  ])('names the lost connection %p by its message: the server cannot be reached', (message) => {
    expect(unavailabilityReason(new Error(message))).toBe('the database server cannot be reached');
  });

  it('keeps the reason of an outage already named (a unit of work has translated it)', () => {
    const named = new DatabaseUnavailableError(
      'the database file is locked by another program',
      new Error('SQLITE_BUSY: database is locked'),
    );

    expect(unavailabilityReason(named)).toBe('the database file is locked by another program');
  });

  it('reads the code of the driver error that TypeORM wraps', () => {
    const wrapped = new QueryFailedError('SELECT 1', [], driverError('server closed the connection', '08006'));

    expect(unavailabilityReason(wrapped)).toBe('the database server cannot be reached');
  });

  it.each([
    driverError('duplicate key value violates unique constraint', '23505'),
    driverError('SQLITE_CONSTRAINT: FOREIGN KEY constraint failed', 'SQLITE_CONSTRAINT'),
    new TypeError("Cannot read properties of undefined (reading 'x')"),
    'not even an Error',
    undefined,
    null,
    { code: 'ECONNREFUSED' },
  ])('leaves %p alone: a refused value or a bug is not an outage', (error) => {
    expect(unavailabilityReason(error)).toBeUndefined();
  });
});

describe('unavailableAsError', () => {
  it('passes results and other errors through', async () => {
    await expect(unavailableAsError(async () => 42)).resolves.toBe(42);
    const bug = new TypeError('bug');
    await expect(unavailableAsError(() => Promise.reject(bug))).rejects.toBe(bug);
  });

  it('turns an outage into DatabaseUnavailableError, keeping the driver error as cause', async () => {
    const refused = driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');

    const error = await unavailableAsError(() => Promise.reject(refused)).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toMatchObject({
      name: 'DatabaseUnavailableError',
      reason: 'the database server cannot be reached',
      message: 'Database unavailable: the database server cannot be reached',
      cause: refused,
    });
  });

  it('passes a DatabaseUnavailableError on as it is, its driver error still the cause', async () => {
    const unavailable = new DatabaseUnavailableError('other writes to the same rows kept conflicting with this one', driverError('x'));

    await expect(unavailableAsError(() => Promise.reject(unavailable))).rejects.toBe(unavailable);
  });
});

describe('writeConflict', () => {
  it.each([
    [driverError('deadlock detected', '40P01'), 'deadlock'],
    [driverError('could not serialize access due to concurrent update', '40001'), 'serialization_failure'],
    [new QueryFailedError('UPDATE', [], driverError('deadlock detected', '40P01')), 'deadlock'],
  ])('names %p: %s', (error, conflict) => {
    expect(writeConflict(error)).toBe(conflict);
  });

  it.each([
    driverError('failed', '40002'),
    driverError('failed', '40P02'),
    driverError('failed', 'toString'),
    driverError('failed'),
    'x',
    null,
    undefined,
  ])('leaves %p alone', (error) => {
    expect(writeConflict(error)).toBeUndefined();
  });
});

describe('isTransientOutage', () => {
  it.each([
    [driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), true],
    [driverError('the database system is starting up', '57P03'), true],
    [driverError('SQLITE_BUSY: database is locked', 'SQLITE_BUSY'), true],
    [driverError('SQLITE_NOTADB: file is not a database', 'SQLITE_NOTADB'), false],
    [driverError('password authentication failed for user "tracking"', '28P01'), false],
    [driverError('database "x" does not exist', '3D000'), false],
  ])('says whether waiting helps with %p: %p', (error, transient) => {
    expect(isTransientOutage(error)).toBe(transient);
  });
});

describe('retryAtStartUp', () => {
  it('waits for a server that cannot be reached yet, and says so with the wait', () => {
    const warn = jest.fn();

    const retried = retryAtStartUp(warn, 3_000)(driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'));

    expect(retried).toBe(true);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith('Cannot open the database yet (the database server cannot be reached); trying again in 3 s');
  });

  it('gives up at once, without a warning, on an error that waiting does not mend', () => {
    const warn = jest.fn();

    const retried = retryAtStartUp(warn, 3_000)(driverError('password authentication failed for user "tracking"', '28P01'));

    expect(retried).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('isDatabaseError', () => {
  it.each([
    [driverError('SQLITE_NOTADB: file is not a database', 'SQLITE_NOTADB'), true],
    [driverError('SQLITE_ERROR: no such table: missing', 'SQLITE_ERROR'), true],
    [driverError('not from SQLite', 'NOT_SQLITE_'), false],
    [driverError('password authentication failed for user "tracking"', '28P01'), true],
    [driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'), true],
    [new TypeError('x is not a function'), false],
    [driverError('no such file', 'ENOENT'), false],
  ])('tells a driver error %p: %p', (error, expected) => {
    expect(isDatabaseError(error)).toBe(expected);
  });
});
