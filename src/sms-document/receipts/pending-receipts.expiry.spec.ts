import { Logger } from '@nestjs/common';

import { Metrics } from '../../core/metrics/metrics';
import { PendingReceiptsExpiry } from './pending-receipts.expiry';
import { ReceiptsService } from './receipts.service';

describe('PendingReceiptsExpiry', () => {
  // The service's rules and SQL have their own specs; here only what the job does with its answers.
  const receipts = { countPending: jest.fn(), expirePending: jest.fn() };
  let expiry: PendingReceiptsExpiry;
  let log: jest.SpyInstance;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    jest.resetAllMocks();
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    expiry = new PendingReceiptsExpiry(receipts as unknown as ReceiptsService, new Metrics(false));
  });
  afterEach(() => jest.restoreAllMocks());

  it('counts the pending receipts at start-up', async () => {
    await expiry.onApplicationBootstrap();

    expect(receipts.countPending).toHaveBeenCalledTimes(1);
    expect(warn).not.toHaveBeenCalled();
  });

  it('starts even when the count fails, and says so', async () => {
    receipts.countPending.mockRejectedValue(new Error('database is locked'));

    await expect(expiry.onApplicationBootstrap()).resolves.toBeUndefined();

    expect(warn).toHaveBeenCalledWith('Pending receipts: not counted: database is locked');
  });

  it('logs how many receipts it dropped', async () => {
    receipts.expirePending.mockResolvedValue(3);

    await expiry.expire();

    expect(log).toHaveBeenCalledWith('Pending receipts: dropped 3 older than PENDING_RECEIPTS_HOURS, unapplied');
  });

  it('logs nothing when none was old enough', async () => {
    receipts.expirePending.mockResolvedValue(0);

    await expiry.expire();

    expect(log).not.toHaveBeenCalled();
    expect(warn).not.toHaveBeenCalled();
  });

  it('never throws out of a run that fails: it warns, and the next run tries again', async () => {
    receipts.expirePending.mockRejectedValue(new Error('connection terminated'));

    await expect(expiry.expire()).resolves.toBeUndefined();

    expect(warn).toHaveBeenCalledWith('Pending receipts: the expiry stopped: connection terminated');
  });
});
