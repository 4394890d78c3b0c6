import 'reflect-metadata';

import { RequestsInFlight } from '../../core/http/requests-in-flight';
import { RequestValidationPipe } from '../../core/validation/request-validation.pipe';
import { batchJsonText, DocumentBatch } from '../domain/document-batch';
import { SmsDocumentController } from '../sms-document.controller';
import { DocumentBatchParser } from './document-batch.parser';
import { DocumentBatchPipe, OFF_THREAD_FROM_BYTES } from './document-batch.pipe';
import { UploadWorkers } from './upload-workers';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const documents = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ uniqueId: `d${index}`, SMScount: 1, data: { text: `message ${index}` } }));
const body = (count: number) => Buffer.from(JSON.stringify({ UBID, documents: documents(count) }));
const decoded = ({ UBID: ubid, count, json }: DocumentBatch) => ({
  UBID: ubid,
  count,
  documents: JSON.parse(batchJsonText(json)) as unknown,
});
/** The batch a worker answers: recognisable, so that a test sees where its batch was made. */
const FROM_WORKER: DocumentBatch = { UBID, count: -1, json: new Uint8Array(), messageIds: [] };

describe('DocumentBatchPipe', () => {
  /** 2000 documents: well over OFF_THREAD_FROM_BYTES. */
  const big = body(2000);
  const workers = { enabled: true, batchOf: jest.fn() };
  const requests = { count: 1 };
  const pipe = new DocumentBatchPipe(workers as unknown as UploadWorkers, requests as RequestsInFlight);

  beforeEach(() => {
    workers.enabled = true;
    workers.batchOf.mockReset().mockResolvedValue(FROM_WORKER);
    requests.count = 1;
  });

  it('makes a big body into a batch on the event loop while its request is the only one in flight', async () => {
    expect(big.length).toBeGreaterThanOrEqual(OFF_THREAD_FROM_BYTES);

    expect(decoded(await pipe.transform(big))).toEqual({ UBID, count: 2000, documents: documents(2000) });
    expect(workers.batchOf).not.toHaveBeenCalled();
  });

  it('hands a big body to a worker while another request is in flight', async () => {
    requests.count = 2;

    expect(await pipe.transform(big)).toBe(FROM_WORKER);
    expect(workers.batchOf).toHaveBeenCalledWith(big);
  });

  it(`hands a body of exactly ${OFF_THREAD_FROM_BYTES} bytes to a worker, and keeps a smaller one on the event loop`, async () => {
    requests.count = 2;
    const empty = Buffer.from(JSON.stringify({ UBID, documents: [{ uniqueId: 'd', SMScount: 1, data: { text: '' } }] }));
    const exact = Buffer.from(
      JSON.stringify({
        UBID,
        documents: [{ uniqueId: 'd', SMScount: 1, data: { text: 'x'.repeat(OFF_THREAD_FROM_BYTES - empty.length) } }],
      }),
    );
    expect(exact.length).toBe(OFF_THREAD_FROM_BYTES);

    await pipe.transform(exact);
    const smaller = await pipe.transform(body(2));

    expect(workers.batchOf).toHaveBeenCalledTimes(1);
    expect(decoded(smaller)).toEqual({ UBID, count: 2, documents: documents(2) });
  });

  it('makes every body into a batch on the event loop without workers (UPLOAD_WORKERS=0)', async () => {
    workers.enabled = false;
    requests.count = 5;

    expect(decoded(await pipe.transform(big))).toMatchObject({ count: 2000 });
    expect(workers.batchOf).not.toHaveBeenCalled();
  });

  it('checks a body the JSON parser parsed (one the raw lane did not take) as every body is checked', async () => {
    requests.count = 2;
    const parsed = { UBID, documents: documents(3) };

    expect(decoded(await pipe.transform(parsed))).toEqual({ UBID, count: 3, documents: documents(3) });
    await expect(pipe.transform(undefined)).rejects.toMatchObject({ status: 422 });
    expect(workers.batchOf).not.toHaveBeenCalled();
  });

  it('takes the upload route’s parameter, which has no DTO class, so that the validation pipe hands it the raw bytes untouched', async () => {
    const [metatype] = Reflect.getMetadata('design:paramtypes', SmsDocumentController.prototype, 'upsertDocuments') as unknown[];

    expect(metatype).toBe(Object);
    await expect(new RequestValidationPipe().transform(big, { type: 'body', metatype: Object })).resolves.toBe(big);
  });

  it('refuses an invalid body on the event loop as the parser does anywhere', async () => {
    const invalid = Buffer.from(JSON.stringify({ UBID, documents: [...documents(2), { uniqueId: 'x', SMScount: 0, data: {} }] }));
    const expected = await new DocumentBatchParser().fromJson(invalid).catch((error: unknown) => error);

    await expect(pipe.transform(invalid)).rejects.toEqual(expected);
    expect(expected).toMatchObject({ status: 422 });
  });
});
