import { Logger } from '@nestjs/common';
import { CronExpression } from '@nestjs/schedule';

import { loadConfig } from '../core/config/app-config';
import { RetentionJob } from './retention.job';
import { SmsTransferService } from './sms-transfer.service';

describe('RetentionJob', () => {
  const NOW = new Date('2024-04-17T09:00:00.000Z');
  const purge = jest.fn();
  const job = (env: Record<string, string>) => new RetentionJob(loadConfig(env), { purge } as unknown as SmsTransferService);
  let log: jest.SpyInstance;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    jest.resetAllMocks();
    jest.useFakeTimers({ now: NOW });
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('does nothing without RETENTION_DAYS', async () => {
    await job({}).removeExpired();

    expect(purge).not.toHaveBeenCalled();
  });

  it('purges what has not changed for RETENTION_DAYS days, by the clock of the run, and logs what it removed', async () => {
    purge.mockResolvedValue({ transfers: 3, documents: 12000 });

    await job({ RETENTION_DAYS: '30' }).removeExpired();

    expect(purge).toHaveBeenCalledWith(new Date('2024-03-18T09:00:00.000Z'));
    expect(log).toHaveBeenCalledWith('Retention: removed 3 transfer(s) and 12000 document(s) unchanged since 2024-03-18T09:00:00.000Z');
  });

  it.each([
    [{ transfers: 2, documents: 0 }, 'Retention: removed 2 transfer(s) and 0 document(s) unchanged since 2024-03-18T09:00:00.000Z'],
    [{ transfers: 0, documents: 700 }, 'Retention: removed 0 transfer(s) and 700 document(s) unchanged since 2024-03-18T09:00:00.000Z'],
  ])('logs a purge that removed only transfers or only documents (%o)', async (removed, line) => {
    purge.mockResolvedValue(removed);

    await job({ RETENTION_DAYS: '30' }).removeExpired();

    expect(log).toHaveBeenCalledWith(line);
  });

  it('logs nothing when there was nothing to remove', async () => {
    purge.mockResolvedValue({ transfers: 0, documents: 0 });

    await job({ RETENTION_DAYS: '1' }).removeExpired();

    expect(purge).toHaveBeenCalledWith(new Date('2024-04-16T09:00:00.000Z'));
    expect(log).not.toHaveBeenCalled();
  });

  it('starts no second purge while one runs, and runs again afterwards', async () => {
    let finish!: () => void;
    purge.mockReturnValueOnce(new Promise((resolve) => (finish = () => resolve({ transfers: 0, documents: 0 }))));
    purge.mockResolvedValue({ transfers: 0, documents: 0 });
    const retention = job({ RETENTION_DAYS: '30' });

    const first = retention.removeExpired();
    await retention.removeExpired();
    expect(purge).toHaveBeenCalledTimes(1);
    finish();
    await first;
    await retention.removeExpired();
    expect(purge).toHaveBeenCalledTimes(2);
  });

  it('logs a failed purge as a warning and lets the next run try again', async () => {
    purge.mockRejectedValueOnce(new Error('Database unavailable: the database server cannot be reached'));
    purge.mockResolvedValue({ transfers: 0, documents: 0 });
    const retention = job({ RETENTION_DAYS: '30' });

    await expect(retention.removeExpired()).resolves.toBeUndefined();
    expect(warn).toHaveBeenCalledWith('Retention: the purge stopped: Database unavailable: the database server cannot be reached');
    await retention.removeExpired();
    expect(purge).toHaveBeenCalledTimes(2);
  });

  it('is scheduled every hour', () => {
    const scheduled = Reflect.getMetadata('SCHEDULE_CRON_OPTIONS', RetentionJob.prototype.removeExpired) as { cronTime: string };

    expect(scheduled.cronTime).toBe(CronExpression.EVERY_HOUR);
  });
});
