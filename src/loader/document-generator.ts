import { NewSmsDocument } from '../sms-document/domain/sms-document';

/**
 * The reference document: what a real SMS of a batch looks like to this service (~200 bytes of
 * JSON). Deterministic from its index, so a run can be repeated and checked.
 */
export function referenceDocument(index: number): NewSmsDocument {
  const id = String(index).padStart(10, '0');
  return {
    uniqueId: id,
    SMScount: referenceSmsCount(index),
    data: {
      phone: `+49170${String(index % 10_000_000).padStart(7, '0')}`,
      text: `Your parcel ${id} arrives today between 10:00 and 12:00. Track it at https://example.com/t/${id}`,
      meta: { campaign: 'reference', priority: index % 5 },
    },
  };
}

/** Reference texts take 1 to 3 SMS each. */
export function referenceSmsCount(index: number): number {
  return 1 + (index % 3);
}

/** `count` reference documents, made one at a time as they are consumed. */
export function* generateDocuments(count: number): Generator<NewSmsDocument> {
  for (let index = 0; index < count; index += 1) {
    yield referenceDocument(index);
  }
}

/** Groups any (possibly endless, possibly asynchronous) stream into lists of at most `size`. */
export async function* inSubBatches<T>(items: Iterable<T> | AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1) {
    throw new RangeError(`a sub-batch holds at least 1 item, not ${size}`);
  }
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
