import fc from 'fast-check';

import { DeliveryOutcome, GatewayReceipt, IntermediateStatus, ReceiptStatus } from '../../tracking/gateway-receipt';
import { TrackingState } from '../../tracking/tracking-state';
import { applyReceipt, Delivery, messageKey } from './delivery';

const NOW = new Date('2024-04-17T09:30:00.000Z');
const DONE_AT = new Date('2024-04-17T09:14:00.000Z');
const NEW: Delivery = { state: TrackingState.INIT, outcome: null, errorCode: null, doneAt: null };
const report = (status: ReceiptStatus, errorCode: string | null = null, doneAt: Date | null = null) => ({ status, errorCode, doneAt });

/** Every report applied in turn, as the service applies a message's receipts. */
function applyAll(start: Delivery, reports: Pick<GatewayReceipt, 'status' | 'errorCode' | 'doneAt'>[]): Delivery {
  return reports.reduce((current, next) => applyReceipt(current, next, NOW) ?? current, start);
}

describe('applyReceipt', () => {
  it('moves a document to DONE with a final outcome, its error code and its time', () => {
    expect(applyReceipt({ ...NEW, state: TrackingState.SENT }, report(DeliveryOutcome.FAILED, '011', DONE_AT), NOW)).toEqual({
      state: TrackingState.DONE,
      outcome: DeliveryOutcome.FAILED,
      errorCode: '011',
      doneAt: DONE_AT,
    });
  });

  it('times an outcome now when the receipt gives no time', () => {
    expect(applyReceipt(NEW, report(DeliveryOutcome.DELIVERED), NOW)).toEqual({
      state: TrackingState.DONE,
      outcome: DeliveryOutcome.DELIVERED,
      errorCode: null,
      doneAt: NOW,
    });
  });

  it('never replaces an outcome, not even by the same one', () => {
    const done = applyAll(NEW, [report(DeliveryOutcome.EXPIRED, '0x0c', DONE_AT)]);

    expect(applyReceipt(done, report(DeliveryOutcome.DELIVERED), NOW)).toBeNull();
    expect(applyReceipt(done, report(DeliveryOutcome.EXPIRED, '0x0c', DONE_AT), NOW)).toBeNull();
  });

  it('gives its outcome to a document the state routes moved to DONE without one', () => {
    expect(applyReceipt({ ...NEW, state: TrackingState.DONE }, report(DeliveryOutcome.REJECTED, 'E1'), NOW)).toEqual({
      state: TrackingState.DONE,
      outcome: DeliveryOutcome.REJECTED,
      errorCode: 'E1',
      doneAt: NOW,
    });
  });

  it('moves an INIT document to SENT on an intermediate report, and one further along nowhere', () => {
    expect(applyReceipt(NEW, report(IntermediateStatus.ENROUTE), NOW)).toEqual({ ...NEW, state: TrackingState.SENT });
    expect(applyReceipt({ ...NEW, state: TrackingState.SENT }, report(IntermediateStatus.ACCEPTED), NOW)).toBeNull();
    expect(applyReceipt({ ...NEW, state: TrackingState.DONE }, report(IntermediateStatus.SENT), NOW)).toBeNull();
  });

  it('ends the same whatever the order of the reports of a message, duplicates included', () => {
    const intermediate = fc.constantFrom(...Object.values(IntermediateStatus)).map((status) => report(status));
    const final = fc
      .record({
        status: fc.constantFrom(...Object.values(DeliveryOutcome)),
        errorCode: fc.option(fc.string({ minLength: 1, maxLength: 4 })),
        doneAt: fc.option(
          fc.date({ min: new Date('2024-01-01T00:00:00.000Z'), max: new Date('2025-01-01T00:00:00.000Z'), noInvalidDate: true }),
        ),
      })
      .map(({ status, errorCode, doneAt }) => report(status, errorCode, doneAt));
    const scenario = fc
      .record({
        start: fc.constantFrom(TrackingState.INIT, TrackingState.SENT),
        reports: fc
          .tuple(fc.array(intermediate, { maxLength: 5 }), fc.option(final))
          .map(([steps, last]) => (last ? [...steps, last] : steps))
          .filter((reports) => reports.length > 0),
      })
      .chain(({ start, reports }) =>
        fc.record({
          start: fc.constant(start),
          inOrder: fc.constant(reports),
          // Every report at least once, some again, in any order: a gateway's resends and reordering.
          arrived: fc
            .array(fc.nat({ max: reports.length - 1 }), { maxLength: reports.length * 2 })
            .map((repeats) => [...reports, ...repeats.map((index) => reports[index])])
            .chain((all) => fc.shuffledSubarray(all, { minLength: all.length })),
        }),
      );

    fc.assert(
      fc.property(scenario, ({ start, inOrder, arrived }) => {
        expect(applyAll({ ...NEW, state: start }, arrived)).toEqual(applyAll({ ...NEW, state: start }, inOrder));
      }),
      { seed: 26, numRuns: 2000 },
    );
  });
});

describe('messageKey', () => {
  it("compares a gateway's ids case-insensitively, and each gateway's apart", () => {
    expect(messageKey({ gateway: 'jasmin', messageId: 'AbC-1' })).toBe(messageKey({ gateway: 'jasmin', messageId: 'aBc-1' }));
    expect(messageKey({ gateway: 'jasmin', messageId: 'abc-1' })).not.toBe(messageKey({ gateway: 'kannel', messageId: 'abc-1' }));
  });
});
