import { HealthIndicatorService } from '@nestjs/terminus';
import { DataSource } from 'typeorm';
import { DatabaseHealthIndicator, READINESS_TIMEOUT_MS } from './database-health.indicator';

describe('DatabaseHealthIndicator', () => {
  // A stand-in DataSource: the indicator only ever calls query(), and the point is to control its outcome.
  const indicatorWith = (query: () => Promise<unknown>) =>
    new DatabaseHealthIndicator({ query } as unknown as DataSource, new HealthIndicatorService());

  afterEach(() => jest.useRealTimers());

  it('is up when the database answers', async () => {
    await expect(indicatorWith(async () => [{ 1: 1 }]).check('database')).resolves.toEqual({ database: { status: 'up' } });
  });

  it('is down, with the reason in the API’s words, when the database refuses', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' });

    await expect(indicatorWith(() => Promise.reject(refused)).check('database')).resolves.toEqual({
      database: { status: 'down', message: 'the database server cannot be reached' },
    });
  });

  it('is down when the database does not answer in time', async () => {
    jest.useFakeTimers();
    const pending = indicatorWith(() => new Promise(() => undefined)).check('database');

    await jest.advanceTimersByTimeAsync(READINESS_TIMEOUT_MS);

    await expect(pending).resolves.toEqual({ database: { status: 'down', message: `the database did not answer within ${READINESS_TIMEOUT_MS} ms` } });
  });
});
