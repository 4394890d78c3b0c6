import { DeliveryOutcome, IntermediateStatus, isFinal, RECEIPT_STATUSES } from '../../src/tracking/gateway-receipt';
import { expectedEnd, inOrderRequests, LateDocuments, planReceipts, ReceiptPlan, seededRandom } from './receipt-plan';

const OPTIONS = { documents: 2000, seed: 26, duplicateShare: 0.1, lateShare: 0.1 };

/** How many times each report index occurs in the shuffled order. */
function occurrences(plan: ReceiptPlan): number[] {
  const times = new Array<number>(plan.receipts.length).fill(0);
  for (const index of plan.shuffled) times[index]++;
  return times;
}

describe('seededRandom', () => {
  it('gives the same numbers for the same seed, others for another, all in [0, 1)', () => {
    const draw = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));

    expect(draw(7)).toEqual(draw(7));
    expect(draw(8)).not.toEqual(draw(7));
    expect(draw(7).every((value) => value >= 0 && value < 1)).toBe(true);
    expect(new Set(draw(7)).size).toBe(1000);
  });
});

describe('planReceipts', () => {
  const plan = planReceipts(OPTIONS);

  it('makes the same plan from the same seed, another from another', () => {
    expect(planReceipts(OPTIONS)).toEqual(plan);
    expect(planReceipts({ ...OPTIONS, seed: 27 }).receipts).not.toEqual(plan.receipts);
  });

  it("lists each document's reports together, intermediate ones first, at most one final outcome, last", () => {
    const documents = plan.receipts.map(({ document }) => document);
    expect(documents).toEqual([...documents].sort((a, b) => a - b));
    for (let index = 1; index < plan.receipts.length; index++) {
      const [before, after] = [plan.receipts[index - 1], plan.receipts[index]];
      if (before.document === after.document) expect(isFinal(before.status)).toBe(false);
    }
    for (const { status, doneAt } of plan.receipts) expect(doneAt !== null).toBe(isFinal(status));
  });

  it('mixes every status, error codes and documents without any outcome', () => {
    expect(new Set(plan.receipts.map(({ status }) => status))).toEqual(new Set(RECEIPT_STATUSES));
    expect(plan.receipts.some(({ errorCode }) => errorCode !== null)).toBe(true);
    const ends = expectedEnd(plan);
    expect(ends.filter(({ outcome }) => outcome === DeliveryOutcome.DELIVERED).length).toBeGreaterThan(ends.length / 2);
    expect(ends.some(({ state }) => state === 'SENT')).toBe(true);
  });

  it('sends every report once in the shuffled order and 10 % of them twice', () => {
    const times = occurrences(plan);
    const twice = Math.round(0.1 * plan.receipts.length);

    expect(plan.duplicates).toBe(twice);
    expect(plan.shuffled.length).toBe(plan.receipts.length + twice);
    expect(times.filter((count) => count === 2).length).toBe(twice);
    expect(times.every((count) => count === 1 || count === 2)).toBe(true);
  });

  it('shuffles: a report of a document often arrives before the one it follows', () => {
    const first = new Map<number, number>();
    plan.shuffled.forEach((index, position) => first.set(index, first.get(index) ?? position));
    const follows = (index: number) => index > 0 && plan.receipts[index - 1].document === plan.receipts[index].document;
    const pairs = plan.receipts.filter((_, index) => follows(index)).length;
    const reversed = plan.receipts.filter((_, index) => follows(index) && first.get(index)! < first.get(index - 1)!).length;

    expect(reversed).toBeGreaterThan(pairs / 3);
  });

  it('marks 10 % of the documents late', () => {
    expect(plan.late.reduce((sum, late) => sum + late, 0)).toBe(200);
    expect(planReceipts({ ...OPTIONS, lateShare: 0 }).late.every((late) => late === 0)).toBe(true);
  });
});

describe('expectedEnd', () => {
  it('ends a document with its final outcome as DONE, one without any as SENT', () => {
    const plan: ReceiptPlan = {
      documents: 2,
      receipts: [
        { document: 0, status: IntermediateStatus.ACCEPTED, errorCode: null, doneAt: null },
        { document: 0, status: DeliveryOutcome.FAILED, errorCode: '011', doneAt: '2026-12-07T09:00:00.000Z' },
        { document: 1, status: IntermediateStatus.ENROUTE, errorCode: null, doneAt: null },
      ],
      shuffled: Uint32Array.of(2, 1, 0),
      duplicates: 0,
      late: Uint8Array.of(0, 0),
    };

    expect(expectedEnd(plan)).toEqual([
      { state: 'DONE', outcome: 'failed', errorCode: '011', doneAt: '2026-12-07T09:00:00.000Z' },
      { state: 'SENT', outcome: null, errorCode: null, doneAt: null },
    ]);
  });
});

describe('inOrderRequests', () => {
  const plan = planReceipts(OPTIONS);

  it("covers every report once, in order, at most `max` per request, never splitting a document's reports", () => {
    const requests = inOrderRequests(plan, 7);

    expect(requests.flatMap((request) => Array.from(request))).toEqual(plan.receipts.map((_, index) => index));
    for (const request of requests) expect(request.length).toBeLessThanOrEqual(7);
    for (let index = 1; index < requests.length; index++) {
      expect(plan.receipts[requests[index][0]].document).not.toBe(plan.receipts[requests[index - 1].at(-1)!].document);
    }
  });

  it('refuses a document with more reports than a request holds', () => {
    expect(() => inOrderRequests(plan, 1)).toThrow('a document has more than 1 reports');
  });
});

describe('LateDocuments', () => {
  const plan = planReceipts(OPTIONS);

  it('makes a late document ready once all its receipts, duplicates included, were answered, and no other', () => {
    const late = new LateDocuments(plan);
    const ready = [...late.withoutReceipts()];
    const lastSeen = new Map<number, number>();
    plan.shuffled.forEach((index, position) => lastSeen.set(plan.receipts[index].document, position));

    plan.shuffled.forEach((index, position) => {
      for (const document of late.answered(Uint32Array.of(index))) {
        expect(plan.late[document]).toBe(1);
        expect(lastSeen.get(document)).toBe(position);
        ready.push(document);
      }
    });
    const lateDocuments = plan.late.reduce<number[]>((documents, isLate, document) => (isLate ? [...documents, document] : documents), []);
    expect(ready.sort((a, b) => a - b)).toEqual(lateDocuments);
  });
});
