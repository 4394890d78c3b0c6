import { Logger } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { EntityManager } from 'typeorm';

import { DatabaseUnavailableError } from '../../core/database/database-unavailable';
import { TransactionContext } from '../../core/database/transaction-context';
import { UnitOfWork } from '../../core/database/unit-of-work';
import { DatabaseHealthIndicator, READINESS_TIMEOUT_MS } from './database-health.indicator';

describe('DatabaseHealthIndicator', () => {
  // A stand-in manager: the indicator only ever calls query(), and the point is to control its outcome.
  // The unit of work records the kind of work, as the probe must run as a read.
  const kinds: string[] = [];
  const indicatorWith = (query: () => Promise<unknown>) => {
    const context = new TransactionContext();
    const manager = { query } as unknown as EntityManager;
    const unitOfWork = {
      read: (work: () => Promise<unknown>) => (kinds.push('read'), context.runWith(manager, 'read', work)),
    } as unknown as UnitOfWork;
    return new DatabaseHealthIndicator(unitOfWork, context, new HealthIndicatorService());
  };

  // A spy on Nest's logger, to see what the indicator logs (and keep it out of the test's output).
  let logged: jest.SpyInstance;
  beforeEach(() => {
    kinds.length = 0;
    jest.resetAllMocks();
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation();
  });

  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('is up when the database answers a read', async () => {
    await expect(indicatorWith(async () => [{ 1: 1 }]).check('database')).resolves.toEqual({ database: { status: 'up' } });
    expect(kinds).toEqual(['read']);
  });

  it.each([
    ['as the driver says it', Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' })],
    ['as the unit of work has named it', new DatabaseUnavailableError('the database server cannot be reached', new Error('ECONNREFUSED'))],
  ])('is down, with the reason in the API’s words, when the database refuses (%s)', async (_how, refused) => {
    await expect(indicatorWith(() => Promise.reject(refused)).check('database')).resolves.toEqual({
      database: { status: 'down', message: 'the database server cannot be reached' },
    });
  });

  it('is down, naming the database but not its words, for a failure it has no words for, and logs that failure', async () => {
    const failure = new Error('relation "sms_transfers" does not exist at db.internal:5432 (role tracking)');

    await expect(indicatorWith(() => Promise.reject(failure)).check('database')).resolves.toEqual({
      database: { status: 'down', message: "the database failed the readiness check (the service's log has the error)" },
    });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0][0]).toMatch(
      /^The readiness check failed: Error: relation "sms_transfers" does not exist at db\.internal:5432 \(role tracking\)\n {4}at /,
    );
  });

  it('does not log the failures it has words for: the API logs those as they come', async () => {
    await indicatorWith(() => Promise.reject(new DatabaseUnavailableError('the database server cannot be reached', undefined))).check(
      'database',
    );

    expect(logged).not.toHaveBeenCalled();
  });

  it('is down when the database does not answer in time', async () => {
    jest.useFakeTimers();
    const pending = indicatorWith(() => new Promise(() => undefined)).check('database');

    await jest.advanceTimersByTimeAsync(READINESS_TIMEOUT_MS);

    await expect(pending).resolves.toEqual({
      database: { status: 'down', message: `the database did not answer within ${READINESS_TIMEOUT_MS} ms` },
    });
  });
});
