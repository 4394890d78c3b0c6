import { setImmediate as tick } from 'node:timers/promises';

import { NewSmsDocument } from '../sms-document/domain/sms-document';
import { generateDocuments, inSubBatches } from './document-generator';
import { LoaderApiClient, RequestRefusedError, TransientError } from './loader-api-client';
import { UploadOptions, uploadSubBatches } from './uploader';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

/** A stand-in for the service: counts requests in flight and fails on demand. */
function fakeClient(fail: (call: number) => Error | undefined = () => undefined) {
  let inFlight = 0;
  let calls = 0;
  const stats = { maxInFlight: 0, stored: 0 };
  const client = {
    upsertDocuments: jest.fn(async (_ubid: string, documents: NewSmsDocument[]) => {
      calls += 1;
      const call = calls;
      stats.maxInFlight = Math.max(stats.maxInFlight, ++inFlight);
      await tick();
      inFlight -= 1;
      const failure = fail(call);
      if (failure) throw failure;
      stats.stored += documents.length;
      return documents.length;
    }),
  };
  return { client: client as unknown as LoaderApiClient, stats, calls: client.upsertDocuments };
}

const options = (concurrency: number): UploadOptions => ({
  concurrency,
  retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 },
});

describe('uploadSubBatches', () => {
  it('uploads every sub-batch with at most `concurrency` requests in flight', async () => {
    const { client, stats } = fakeClient();
    const stored: number[] = [];

    const summary = await uploadSubBatches(client, UBID, inSubBatches(generateDocuments(10_500), 1000), {
      ...options(4),
      onStored: (count) => stored.push(count),
    });

    expect(summary).toEqual({ documents: 10_500, subBatches: 11 });
    expect(stats.maxInFlight).toBe(4);
    expect(stored.reduce((sum, count) => sum + count, 0)).toBe(10_500);
  });

  it('retries a sub-batch after a transient failure', async () => {
    const { client, stats, calls } = fakeClient((call) => (call === 2 ? new TransientError('503') : undefined));

    await expect(uploadSubBatches(client, UBID, inSubBatches(generateDocuments(3000), 1000), options(1))).resolves.toEqual({
      documents: 3000,
      subBatches: 3,
    });
    expect(calls).toHaveBeenCalledTimes(4);
    expect(stats.stored).toBe(3000);
  });

  it('stops at a refused request: no new sub-batch starts, and the refusal is thrown', async () => {
    const { client, calls } = fakeClient((call) => (call === 2 ? new RequestRefusedError(422, 'UBID must be a UUID') : undefined));

    await expect(uploadSubBatches(client, UBID, inSubBatches(generateDocuments(20_000), 1000), options(1))).rejects.toThrow(
      'the service answered 422: UBID must be a UUID',
    );
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it('stops when the source of documents fails', async () => {
    const { client } = fakeClient();
    async function* brokenFile() {
      yield* generateDocuments(10);
      throw new Error('line 11: not JSON');
    }

    await expect(uploadSubBatches(client, UBID, inSubBatches(brokenFile(), 5), options(2))).rejects.toThrow('line 11: not JSON');
  });
});
