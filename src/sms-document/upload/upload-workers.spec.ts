import 'reflect-metadata';

import { HttpException } from '@nestjs/common';

import { loadConfig } from '../../core/config/app-config';
import { DomainError } from '../../core/errors/domain-error';
import { domainErrorBody } from '../../core/errors/http-exception.filter';
import { WorkerPool } from '../../core/workers/worker-pool';
import { batchJsonText, DocumentBatch } from '../domain/document-batch';
import { DocumentBatchParser } from './document-batch.parser';
import { UploadWorkers } from './upload-workers';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const documents = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ uniqueId: `d${index}`, SMScount: 1, data: { text: `message ${index}` } }));
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const decoded = (batch: DocumentBatch) => ({ ...batch, json: JSON.parse(batchJsonText(batch.json)) as unknown });
/** The status and payload of the error a promise rejects with: what the client is answered. */
const refusalOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: HttpException) => ({ status: error.getStatus(), response: error.getResponse() }),
  );

describe('UploadWorkers', () => {
  const big = documents(2000);
  const bigBody = () => body({ UBID, documents: big });
  // Spied on, not replaced: the real workers answer.
  const start = jest.spyOn(WorkerPool.prototype, 'start');

  beforeEach(() => start.mockClear());

  it('starts its worker with the app, and ends it with the app', async () => {
    const workers = new UploadWorkers(loadConfig({ UPLOAD_WORKERS: '1' }));

    await workers.onModuleInit();

    expect(workers.enabled).toBe(true);
    expect(start).toHaveBeenCalledTimes(1);
    await workers.onApplicationShutdown();
    await expect(workers.batchOf(bigBody())).rejects.toThrow('the worker pool is closed');
  });

  it('has no worker to start with UPLOAD_WORKERS=0', async () => {
    const workers = new UploadWorkers(loadConfig({ UPLOAD_WORKERS: '0' }));

    await workers.onModuleInit();

    expect(workers.enabled).toBe(false);
    expect(start).not.toHaveBeenCalled();
  });

  describe('with a worker', () => {
    // One worker for these tests: each takes a second or two to load under ts-node.
    const workers = new UploadWorkers(loadConfig({ UPLOAD_WORKERS: '1' }));

    afterAll(() => workers.onApplicationShutdown());

    it('makes a body into the batch the event loop makes of it', async () => {
      const batch = await workers.batchOf(bigBody());

      expect(decoded(batch)).toEqual({ UBID, count: 2000, json: big, messageIds: [] });
      expect(decoded(batch)).toEqual(decoded(await new DocumentBatchParser().fromJson(bigBody())));
    });

    it('hands the batch back as bytes of their own, which cross without a copy', async () => {
      const { json } = await workers.batchOf(bigBody());

      expect(typeof json).not.toBe('string');
      const bytes = json as Uint8Array;
      expect(bytes.byteOffset).toBe(0);
      expect(bytes.buffer.byteLength).toBe(bytes.byteLength);
    });

    it('refuses an invalid body with the error the event loop gives it', async () => {
      const invalid = body({ UBID, documents: [...big, { uniqueId: 'x', SMScount: 0, data: {} }] });
      const expected = await refusalOf(new DocumentBatchParser().fromJson(invalid));

      const refusal = await refusalOf(workers.batchOf(invalid));

      expect(refusal).toMatchObject({ status: 422, response: { detail: [{ loc: ['body', 'documents', 2000, 'SMScount'] }] } });
      expect(refusal).toEqual(expected);
    });

    it('keeps the message ids the documents name, as the event loop does', async () => {
      // A body is handed over to the worker, so each side gets its own.
      const named = () =>
        body({ UBID, documents: [...big, { uniqueId: 'x', SMScount: 1, data: {}, gateway: 'jasmin', messageId: 'Msg-1' }] });

      const batch = await workers.batchOf(named());

      expect(batch.messageIds).toEqual([{ uniqueId: 'x', gateway: 'jasmin', messageId: 'Msg-1' }]);
      expect(decoded(batch)).toEqual(decoded(await new DocumentBatchParser().fromJson(named())));
    });

    it('refuses a document with a gateway but no message id with the error the event loop gives it', async () => {
      const invalid = body({ UBID, documents: [...big, { uniqueId: 'x', SMScount: 1, data: {}, gateway: 'jasmin' }] });
      const expected = await refusalOf(new DocumentBatchParser().fromJson(invalid));

      const refusal = await refusalOf(workers.batchOf(invalid));

      expect(refusal).toEqual({
        status: 422,
        response: {
          statusCode: 422,
          detail: [{ loc: ['body', 'documents', 2000, 'messageId'], msg: 'messageId must be given with gateway', type: 'givenTogether' }],
        },
      });
      expect(refusal).toEqual(expected);
    });

    it('refuses one message id named for two documents with the answer the event loop gives its DomainError', async () => {
      const twice = (uniqueId: string, messageId: string) => ({ uniqueId, SMScount: 1, data: {}, gateway: 'jasmin', messageId });
      const invalid = body({ UBID, documents: [...big, twice('x', 'Msg-1'), twice('y', 'msg-1')] });
      const onEventLoop = await new DocumentBatchParser().fromJson(invalid).catch((error: DomainError) => error);

      const refusal = await refusalOf(workers.batchOf(invalid));

      const answer = { statusCode: 422, detail: "Message id 'msg-1' of gateway 'jasmin' is named for two documents, 'x' and 'y'" };
      expect(refusal).toEqual({ status: 422, response: answer });
      expect(domainErrorBody(onEventLoop as DomainError)).toEqual(answer);
    });

    it('refuses a body that is not JSON with the JSON parser’s words', async () => {
      const refusal = await refusalOf(workers.batchOf(Buffer.from('{"UBID": ')));

      expect(refusal).toEqual(await refusalOf(new DocumentBatchParser().fromJson(Buffer.from('{"UBID": '))));
      expect(refusal).toMatchObject({ status: 422, response: { detail: [{ type: 'json_invalid' }] } });
    });

    it('hands a body that has a buffer of its own over to the worker without copying it', async () => {
      const own = bigBody();
      expect(own.byteLength).toBe(own.buffer.byteLength);

      await workers.batchOf(own);

      // A transferred buffer is detached from this thread.
      expect(own.buffer.byteLength).toBe(0);
    });

    it.each([
      ['before', 16],
      ['after', 0],
    ])(
      'copies a body that shares its buffer (other bytes %s it) before handing it over, leaving the sharer intact',
      async (_where, offset) => {
        const bytes = bigBody();
        const shared = Buffer.alloc(bytes.length + 16);
        bytes.copy(shared, offset);

        const batch = await workers.batchOf(shared.subarray(offset, offset + bytes.length));

        expect(decoded(batch)).toMatchObject({ count: 2000 });
        expect(shared.byteLength).toBe(bytes.length + 16);
      },
    );
  });
});
