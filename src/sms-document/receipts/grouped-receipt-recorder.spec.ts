import { DeliveryOutcome, GatewayReceipt, ReceiptResult } from '../../tracking/gateway-receipt';
import { GroupedReceiptRecorder } from './grouped-receipt-recorder';
import { ReceiptsService } from './receipts.service';

const receipt = (messageId: string): GatewayReceipt => ({
  gateway: 'jasmin',
  messageId,
  status: DeliveryOutcome.DELIVERED,
  errorCode: null,
  doneAt: null,
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
    const recorder = new GroupedReceiptRecorder(service as unknown as ReceiptsService);

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
