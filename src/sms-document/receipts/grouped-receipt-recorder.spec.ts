import { loadConfig } from '../../core/config/app-config';
import { DeliveryOutcome, GatewayReceipt, ReceiptResult } from '../../tracking/gateway-receipt';
import { GroupedReceiptRecorder, receiptGrouping, RECEIPTS_WAITING_MAX } from './grouped-receipt-recorder';
import { ReceiptsService } from './receipts.service';

const receipt = (messageId: string): GatewayReceipt => ({
  gateway: 'jasmin',
  messageId,
  status: DeliveryOutcome.DELIVERED,
  errorCode: null,
  doneAt: null,
});

describe('receiptGrouping', () => {
  it('on SQLite, writes one group at a time, at once: writes take turns there anyway', () => {
    expect(receiptGrouping(loadConfig({ DATABASE_URL: 'sqlite::memory:' }))).toEqual({
      maxItems: 5000,
      maxWaiting: RECEIPTS_WAITING_MAX,
      concurrency: 1,
      windowMs: 0,
    });
  });

  it.each([
    ['10', 4],
    ['3', 1],
    ['1', 1],
  ])('on PostgreSQL with a pool of %s, writes up to %d groups side by side, each after a 2 ms window', (poolSize, concurrency) => {
    const config = loadConfig({ DATABASE_URL: 'postgres://tracking@localhost/tracking', DATABASE_POOL_SIZE: poolSize });

    expect(receiptGrouping(config)).toMatchObject({ concurrency, windowMs: 2 });
  });
});

describe('GroupedReceiptRecorder', () => {
  it('writes the callbacks that arrive during a write in one call of the service, each answered its own results', async () => {
    const calls: { receipts: GatewayReceipt[]; commit: () => void }[] = [];
    // The service's transactions are not the point: each call is held until the test commits it.
    const service = {
      record: jest.fn(
        (receipts: GatewayReceipt[]) =>
          new Promise<ReceiptResult[]>((resolve) =>
            calls.push({ receipts, commit: () => resolve(receipts.map(({ messageId }) => (messageId === 'b' ? 'pending' : 'applied'))) }),
          ),
      ),
    };
    const recorder = new GroupedReceiptRecorder(service as unknown as ReceiptsService, loadConfig({ DATABASE_URL: 'sqlite::memory:' }));

    const first = recorder.record([receipt('a')]);
    const second = recorder.record([receipt('b')]);
    const third = recorder.record([receipt('c')]);
    calls[0].commit();
    await expect(first).resolves.toEqual(['applied']);
    await new Promise(setImmediate);
    calls[1].commit();

    expect(calls.map(({ receipts }) => receipts.map(({ messageId }) => messageId))).toEqual([['a'], ['b', 'c']]);
    await expect(second).resolves.toEqual(['pending']);
    await expect(third).resolves.toEqual(['applied']);
  });
});
