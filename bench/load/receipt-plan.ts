import { DeliveryOutcome, IntermediateStatus, isFinal, ReceiptStatus } from '../../src/tracking/gateway-receipt';

/**
 * The receipts of the shuffled receipts benchmark (`npm run bench:receipts:shuffled`): what a
 * gateway reports of each document, made from a seed, and the two orders the benchmark sends them
 * in. docs/performance.md#delivery-receipts-in-any-order has the method.
 */

/** One report of one document, as a bridge passes it on. */
export interface PlannedReceipt {
  /** The document's number, 0 to `documents - 1` across all transfers. */
  document: number;
  status: ReceiptStatus;
  errorCode: string | null;
  /** ISO 8601, as the service answers it; null for an intermediate report. */
  doneAt: string | null;
}

export interface ReceiptPlan {
  documents: number;
  /** Every report of every document, document after document, each document's in their natural order. */
  receipts: PlannedReceipt[];
  /** The shuffled run's order: indexes into `receipts`, every report once and `duplicates` of them twice. */
  shuffled: Uint32Array;
  /** How many reports `shuffled` holds twice. */
  duplicates: number;
  /** 1 for a document whose submission the shuffled run sends only after all its receipts, else 0. */
  late: Uint8Array;
}

export interface PlanOptions {
  documents: number;
  seed: number;
  /** The share of the reports sent twice in the shuffled order. */
  duplicateShare: number;
  /** The share of the documents submitted only after their receipts. */
  lateShare: number;
}

/** A seeded pseudo-random generator (mulberry32) of numbers in [0, 1): the same seed, the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Intermediate reports in the order a message goes through them. */
const INTERMEDIATE_ORDER = [
  IntermediateStatus.ACCEPTED,
  IntermediateStatus.QUEUED,
  IntermediateStatus.BUFFERED,
  IntermediateStatus.ENROUTE,
  IntermediateStatus.SENT,
];

/** The outcomes, with their shares of the documents that get one, and the error codes each may carry (null: none). */
const OUTCOMES: { outcome: DeliveryOutcome; share: number; errorCodes: (string | null)[] }[] = [
  { outcome: DeliveryOutcome.DELIVERED, share: 0.75, errorCodes: [null, '000'] },
  { outcome: DeliveryOutcome.FAILED, share: 0.1, errorCodes: ['001', '011', '034', '30003'] },
  { outcome: DeliveryOutcome.EXPIRED, share: 0.06, errorCodes: [null, '027'] },
  { outcome: DeliveryOutcome.REJECTED, share: 0.05, errorCodes: ['ESME_RINVDSTADR', 'ESME_RTHROTTLED'] },
  { outcome: DeliveryOutcome.UNKNOWN, share: 0.04, errorCodes: [null] },
];

/** Documents that get a final outcome; the others only intermediate reports, or none. */
const FINAL_SHARE = 0.9;
const DONE_AT_FROM = Date.parse('2026-12-07T08:00:00.000Z');
const DAY_MS = 86_400_000;

/**
 * Each document's reports (0 to 5 intermediate ones in their order, then, for 90 % of the
 * documents, one final outcome with an error code and a time), the shuffled order with
 * `duplicateShare` of the reports twice, and the `lateShare` of the documents submitted late. At
 * most one final outcome per document: the service's rule makes any order of a message's reports
 * end the same only then (docs/receipts.md).
 */
export function planReceipts({ documents, seed, duplicateShare, lateShare }: PlanOptions): ReceiptPlan {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)];
  const receipts: PlannedReceipt[] = [];
  for (let document = 0; document < documents; document++) {
    for (const status of INTERMEDIATE_ORDER.filter(() => random() < 0.3))
      receipts.push({ document, status, errorCode: null, doneAt: null });
    if (random() < FINAL_SHARE) {
      const { outcome, errorCodes } = weighted(random());
      const doneAt = new Date(DONE_AT_FROM + Math.floor(random() * DAY_MS)).toISOString();
      receipts.push({ document, status: outcome, errorCode: pick(errorCodes), doneAt });
    }
  }
  const duplicates = Math.round(duplicateShare * receipts.length);
  const twice = firstOfShuffle(receipts.length, duplicates, random);
  const shuffled = new Uint32Array(receipts.length + duplicates);
  for (let index = 0; index < receipts.length; index++) shuffled[index] = index;
  shuffled.set(twice, receipts.length);
  shuffleInPlace(shuffled, random);
  const late = new Uint8Array(documents);
  for (const document of firstOfShuffle(documents, Math.round(lateShare * documents), random)) late[document] = 1;
  return { documents, receipts, shuffled, duplicates, late };
}

function weighted(value: number): (typeof OUTCOMES)[number] {
  let below = 0;
  for (const entry of OUTCOMES) {
    below += entry.share;
    if (value < below) return entry;
  }
  return OUTCOMES[OUTCOMES.length - 1];
}

/** Fisher–Yates. */
function shuffleInPlace(values: Uint32Array, random: () => number): void {
  for (let index = values.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [values[index], values[other]] = [values[other], values[index]];
  }
}

/** `count` distinct numbers of 0 to `length - 1`, at random (the first steps of a Fisher–Yates shuffle). */
function firstOfShuffle(length: number, count: number, random: () => number): Uint32Array {
  const values = new Uint32Array(length);
  for (let index = 0; index < length; index++) values[index] = index;
  for (let index = 0; index < count; index++) {
    const other = index + Math.floor(random() * (length - index));
    [values[index], values[other]] = [values[other], values[index]];
  }
  return values.slice(0, count);
}

/**
 * The in-order run's requests: `receipts` in their natural order, in slices of at most `max`
 * that never split a document's reports, so that requests in flight side by side keep each
 * document's reports in order.
 */
export function inOrderRequests(plan: ReceiptPlan, max: number): Uint32Array[] {
  const requests: Uint32Array[] = [];
  let from = 0;
  while (from < plan.receipts.length) {
    let to = Math.min(from + max, plan.receipts.length);
    if (to < plan.receipts.length) {
      while (to > from && plan.receipts[to].document === plan.receipts[to - 1].document) to--;
      if (to === from) throw new Error(`a document has more than ${max} reports`);
    }
    requests.push(Uint32Array.from({ length: to - from }, (_, offset) => from + offset));
    from = to;
  }
  return requests;
}

/**
 * Counts down the receipts of the late documents as their requests are answered, duplicates
 * included: a late document is ready for its submission once every receipt of it was answered.
 */
export class LateDocuments {
  private readonly waiting = new Map<number, number>();

  constructor(private readonly plan: ReceiptPlan) {
    for (const index of plan.shuffled) {
      const { document } = plan.receipts[index];
      if (plan.late[document]) this.waiting.set(document, (this.waiting.get(document) ?? 0) + 1);
    }
  }

  /** The receipts of `plan.receipts` at these indexes were answered: the late documents that are now ready. */
  answered(indexes: Uint32Array): number[] {
    const ready: number[] = [];
    for (const index of indexes) {
      const { document } = this.plan.receipts[index];
      const left = this.waiting.get(document);
      if (left === undefined) continue;
      if (left > 1) this.waiting.set(document, left - 1);
      else {
        this.waiting.delete(document);
        ready.push(document);
      }
    }
    return ready;
  }

  /** The late documents without a single receipt: ready from the start. */
  withoutReceipts(): number[] {
    const ready: number[] = [];
    for (let document = 0; document < this.plan.documents; document++)
      if (this.plan.late[document] && !this.waiting.has(document)) ready.push(document);
    return ready;
  }
}

/** What a document ends as, by the plan: its outcome (DONE) if a report gives one, else SENT (its submission). */
export function expectedEnd(plan: ReceiptPlan): DocumentEnd[] {
  const ends: DocumentEnd[] = Array.from({ length: plan.documents }, () => ({
    state: 'SENT',
    outcome: null,
    errorCode: null,
    doneAt: null,
  }));
  for (const { document, status, errorCode, doneAt } of plan.receipts) {
    if (isFinal(status)) ends[document] = { state: 'DONE', outcome: status, errorCode, doneAt };
  }
  return ends;
}

/** What the benchmark compares of each document between the runs. */
export interface DocumentEnd {
  state: string;
  outcome: string | null;
  errorCode: string | null;
  doneAt: string | null;
}
