import { NewSmsDocument } from '../sms-document/domain/sms-document';
import { LoaderApiClient } from './loader-api-client';
import { RetryOptions, withRetry } from './retry';

export interface UploadOptions {
  concurrency: number;
  retry: RetryOptions;
  /** Called after each sub-batch the service stored, with its size. */
  onStored?: (documents: number) => void;
}

export interface UploadSummary {
  documents: number;
  subBatches: number;
}

/** Uploads the documents' sub-batches; see sendSubBatches(). */
export async function uploadSubBatches(
  client: LoaderApiClient,
  ubid: string,
  subBatches: AsyncIterable<NewSmsDocument[]>,
  options: UploadOptions,
): Promise<UploadSummary> {
  const summary: UploadSummary = { documents: 0, subBatches: 0 };
  await sendSubBatches(subBatches, options, async (documents) => {
    const stored = await client.upsertDocuments(ubid, documents);
    summary.documents += stored;
    summary.subBatches += 1;
    options.onStored?.(stored);
  });
  return summary;
}

/**
 * Sends the sub-batches with up to `concurrency` requests in flight (`send`), each retried on
 * transient failures. The first lasting failure stops it: no new sub-batch starts, those in flight
 * finish, and the failure is thrown.
 */
export async function sendSubBatches<T>(
  subBatches: AsyncIterable<T[]>,
  options: Pick<UploadOptions, 'concurrency' | 'retry'>,
  send: (subBatch: T[]) => Promise<void>,
): Promise<void> {
  const source = subBatches[Symbol.asyncIterator]();
  let failure: { error: unknown } | undefined;

  const worker = async () => {
    try {
      for (let next = await source.next(); !next.done && !failure; next = await source.next()) {
        const subBatch = next.value;
        await withRetry(() => send(subBatch), options.retry);
      }
    } catch (error) {
      failure ??= { error };
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  if (failure) throw failure.error;
}
