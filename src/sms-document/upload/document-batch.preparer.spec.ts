import 'reflect-metadata';

import { loadConfig } from '../../core/config/app-config';
import { WorkerPool } from '../../core/workers/worker-pool';
import { toDocumentBatch } from '../domain/document-batch';
import { DocumentBatchPreparer, OFF_THREAD_FROM_BYTES, PreparedUpload } from './document-batch.preparer';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const documents = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ uniqueId: `d${index}`, SMScount: 1, data: { text: `message ${index}` } }));
const body = (value: unknown) => Buffer.from(JSON.stringify(value));
const decoded = (prepared: PreparedUpload) =>
  'batch' in prepared ? { ...prepared.batch, json: JSON.parse(Buffer.from(prepared.batch.json).toString()) } : prepared;

describe('DocumentBatchPreparer', () => {
  const big = documents(2000);
  const bigBody = () => body({ UBID, documents: big });
  let preparer: DocumentBatchPreparer;
  // Spied on, not replaced: the point is which bodies the workers get, and the real ones answer.
  const run = jest.spyOn(WorkerPool.prototype, 'run');
  const start = jest.spyOn(WorkerPool.prototype, 'start');

  beforeEach(() => {
    run.mockClear();
    start.mockClear();
  });
  afterEach(() => preparer.onApplicationShutdown());

  describe('with UPLOAD_WORKERS=1', () => {
    beforeEach(() => (preparer = new DocumentBatchPreparer(loadConfig({ UPLOAD_WORKERS: '1' }))));

    it('starts its worker when asked, before any upload', async () => {
      await preparer.startWorkers();

      expect(start).toHaveBeenCalledTimes(1);
    });

    it('prepares a big body in a worker, with the same result as on the event loop', async () => {
      expect(bigBody().length).toBeGreaterThanOrEqual(OFF_THREAD_FROM_BYTES);

      const prepared = await preparer.prepare(bigBody());

      expect(run).toHaveBeenCalledTimes(1);
      expect(decoded(prepared)).toEqual({ UBID, count: 2000, json: big });
      expect(decoded(prepared)).toEqual(decoded({ batch: toDocumentBatch(UBID, big) }));
    });

    it('hands a body that has a buffer of its own over to the worker without copying it', async () => {
      const own = bigBody();
      expect(own.byteLength).toBe(own.buffer.byteLength);

      await preparer.prepare(own);

      // A transferred buffer is detached from this thread.
      expect(own.buffer.byteLength).toBe(0);
    });

    it('hands a big body that is not a valid upload back, byte for byte', async () => {
      const invalid = body({ UBID, documents: [...big, { uniqueId: 'x', SMScount: 0, data: {} }] });

      const prepared = await preparer.prepare(Buffer.from(invalid));

      expect(run).toHaveBeenCalledTimes(1);
      expect('refused' in prepared && Buffer.from(prepared.refused).equals(invalid)).toBe(true);
    });

    it(`prepares a body of exactly ${OFF_THREAD_FROM_BYTES} bytes in a worker`, async () => {
      const empty = body({ UBID, documents: [{ uniqueId: 'd', SMScount: 1, data: { text: '' } }] });
      const exact = body({
        UBID,
        documents: [{ uniqueId: 'd', SMScount: 1, data: { text: 'x'.repeat(OFF_THREAD_FROM_BYTES - empty.length) } }],
      });
      expect(exact.length).toBe(OFF_THREAD_FROM_BYTES);

      await preparer.prepare(exact);

      expect(run).toHaveBeenCalledTimes(1);
    });

    it('prepares a small body on the event loop: a worker would cost more than it saves', async () => {
      const prepared = await preparer.prepare(body({ UBID, documents: documents(2) }));

      expect(run).not.toHaveBeenCalled();
      expect(decoded(prepared)).toEqual({ UBID, count: 2, json: documents(2) });
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
        const view = shared.subarray(offset, offset + bytes.length);

        const prepared = await preparer.prepare(view);

        expect(decoded(prepared)).toMatchObject({ count: 2000 });
        expect(shared.byteLength).toBe(bytes.length + 16);
      },
    );
  });

  describe('with UPLOAD_WORKERS=0', () => {
    beforeEach(() => (preparer = new DocumentBatchPreparer(loadConfig({ UPLOAD_WORKERS: '0' }))));

    it('has no worker to start', async () => {
      await preparer.startWorkers();

      expect(start).not.toHaveBeenCalled();
    });

    it('prepares every body on the event loop', async () => {
      const prepared = await preparer.prepare(bigBody());

      expect(run).not.toHaveBeenCalled();
      expect(decoded(prepared)).toEqual({ UBID, count: 2000, json: big });
    });
  });
});
