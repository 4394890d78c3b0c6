import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

import { INestApplication } from '@nestjs/common';
import { ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

import { buildOpenApiDocument } from '../src/app/openapi/openapi';
import { BODY_RATE_WINDOW_MS, BUSY_RETRY_AFTER_SECONDS } from '../src/core/http/upload-admission';
import { DocumentBatch } from '../src/sms-document/domain/document-batch';
import { createTestApp } from '../tools/app-in-process';
import { mockedRepositories, mockSmsDocumentRepository, mockSmsTransferRepository, uploadedBatch } from './helpers/mocks';
import { rawRequest, writeChunked } from './helpers/raw-request';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const MiB = 1024 * 1024;
/** The smallest budget the service accepts: one maximal body. Two of these uploads do not fit in it together. */
const BUDGET_MB = 16;
const busy = (budgetMb: number) => ({
  statusCode: 503,
  detail: `The service is busy: the request bodies in memory take up the ${budgetMb} MiB allowed (MAX_INFLIGHT_BODY_MB). Retry later.`,
});
const BUSY = busy(BUDGET_MB);

/** An upload body of about `mib` MiB: 5000 documents with as much data as it takes. */
function uploadBody(mib: number, tag: string): Buffer {
  const text = 'x'.repeat(Math.floor((mib * MiB) / 5000) - 80);
  const documents = Array.from({ length: 5000 }, (_, index) => ({ uniqueId: `${tag}${index}`.slice(-10), SMScount: 1, data: { text } }));
  return Buffer.from(JSON.stringify({ UBID, documents }));
}

/** Who sends an upload: from which local address (127.0.0.1 unless told), with which headers (an API key). */
interface Sender {
  localAddress?: string;
  headers?: Record<string, string>;
}

/** A whole upload as a client library sends it. */
function upload(port: number, body: Buffer, { localAddress, headers = {} }: Sender = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        localAddress,
        method: 'POST',
        path: '/tracking/sms_documents',
        headers: { 'Content-Type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The operations that take a body. */
const BODY_OPERATIONS = [
  'createTransfer',
  'setFallbackCount',
  'upsertDocuments',
  'recordReceipts',
  'submitMessages',
  'recordGatewayReceipts',
  'receiveJasminDlrForm',
  'receiveTwilioStatus',
];

/** The example of each operation that documents `status`, by operationId. */
function documentedExamples(app: INestApplication, status: number): Map<string, unknown> {
  const operations = Object.values(buildOpenApiDocument(app).paths).flatMap((item) => [item.get, item.post, item.put, item.delete]);
  return new Map(
    operations.flatMap((operation) => {
      const response = operation?.responses[String(status)] as ResponseObject | undefined;
      return response ? [[operation!.operationId!, response.content!['application/json'].example as unknown]] : [];
    }),
  );
}

describe('upload admission: the in-flight body budget (e2e, mocked repositories)', () => {
  const documents = mockSmsDocumentRepository();
  const transfers = mockSmsTransferRepository();
  /** Upserts wait here until the test lets them finish, so that their bodies hold their room. */
  let releaseUpserts: () => void;
  /** Resolves once `count` upserts have begun (their bodies read and held). */
  let upserting: (count: number) => Promise<void>;

  beforeEach(() => {
    jest.resetAllMocks();
    const released = new Promise<void>((resolve) => (releaseUpserts = resolve));
    let begun = 0;
    const waiting: { count: number; resolve: () => void }[] = [];
    upserting = (count) => new Promise<void>((resolve) => (begun >= count ? resolve() : waiting.push({ count, resolve })));
    documents.upsertMany.mockImplementation(async ({ count }: DocumentBatch) => {
      begun += 1;
      waiting.filter((waiter) => waiter.count <= begun).forEach(({ resolve }) => resolve());
      await released;
      return count;
    });
    documents.countByUbid.mockResolvedValue(5000);
  });

  /** The body budget's gauge: bytes of request bodies holding room now. */
  async function bodyBytesInFlight(port: number): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^tracking_body_bytes_in_flight (\d+)$/m.exec(text)![1]);
  }

  async function listening(env: Record<string, string>): Promise<{ app: INestApplication; port: number }> {
    const app = await createTestApp(
      // No database: the budget is the subject here, and the held upsert stands for a slow write.
      mockedRepositories(transfers, documents),
      'sqlite::memory:',
      { MAX_INFLIGHT_BODY_MB: String(BUDGET_MB), ...env },
    );
    await app.listen(0, '127.0.0.1');
    return { app, port: (app.getHttpServer().address() as AddressInfo).port };
  }

  describe('with a short wait (UPLOAD_WAIT_MS=300)', () => {
    let app: INestApplication;
    let port: number;

    beforeAll(async () => ({ app, port } = await listening({ UPLOAD_WAIT_MS: '300' })));
    afterAll(() => app.close());

    it('answers an upload that does not fit 503 with Retry-After, unread, stores nothing of it, and takes the next one once room is free', async () => {
      const first = upload(port, uploadBody(9, 'a'));
      await upserting(1);
      const second = uploadBody(9, 'b');

      // Headers and the first KiB only: an answer now proves that the body was not waited for.
      const refused = rawRequest(port, { headers: { 'Content-Length': second.length }, body: second.subarray(0, 1024) });
      const answer = await refused.answer;
      refused.socket.destroy();

      expect(answer.status).toBe(503);
      expect(answer.headers['retry-after']).toBe(String(BUSY_RETRY_AFTER_SECONDS));
      expect(answer.headers.connection).toBe('close');
      expect(JSON.parse(answer.body)).toEqual(BUSY);
      expect(documents.upsertMany).toHaveBeenCalledTimes(1);

      releaseUpserts();
      expect((await first).status).toBe(201);
      expect((await upload(port, second)).status).toBe(201);
      expect(documents.upsertMany).toHaveBeenCalledTimes(2);
      expect([0, 1].map((call) => uploadedBatch(documents.upsertMany, call).documents[0].uniqueId)).toEqual(['a0', 'b0']);
    });

    it.each(['/tracking/sms_documents', '/tracking/sms_transfers'])(
      'answers a body declared over 16 MiB 413 at once on %s, unread, and closes the connection',
      async (path) => {
        const refused = rawRequest(port, { path, headers: { 'Content-Length': 17 * MiB }, body: Buffer.alloc(1024, ' ') });
        const answer = await refused.answer;
        refused.socket.destroy();

        expect(answer.status).toBe(413);
        expect(answer.headers.connection).toBe('close');
        expect(JSON.parse(answer.body)).toEqual({ statusCode: 413, detail: 'Request body is larger than the 16 MiB limit' });
        expect(await bodyBytesInFlight(port)).toBe(0);
      },
    );

    it('never asks a refused client that sends Expect: 100-continue for its body, and closes the connection', async () => {
      const first = upload(port, uploadBody(9, 'a'));
      await upserting(1);

      const refused = rawRequest(port, { headers: { 'Content-Length': 9 * MiB, Expect: '100-continue' } });
      const closed = once(refused.socket, 'end');
      const answer = await refused.answer;
      // The service closes its side: the connection is not kept for a body that will not come.
      await closed;
      refused.socket.destroy();

      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual(BUSY);
      expect(answer.headers.connection).toBe('close');
      expect(answer.raw).not.toContain('100 Continue');
      releaseUpserts();
      expect((await first).status).toBe(201);
    });

    it('asks an admitted client that sends Expect: 100-continue for its body, and stores it', async () => {
      releaseUpserts();
      const body = uploadBody(1, 'c');
      const admitted = rawRequest(port, { headers: { 'Content-Length': body.length, Expect: '100-continue' } });
      admitted.socket.once('data', () => admitted.socket.write(body));

      const answer = await admitted.answer;
      admitted.socket.destroy();

      expect(answer.raw.startsWith('HTTP/1.1 100 Continue\r\n\r\n')).toBe(true);
      expect(answer.status).toBe(201);
      expect(documents.upsertMany).toHaveBeenCalledTimes(1);
    });

    it('counts a compressed body as it inflates: refused once it outgrows the room left, let in while it fits', async () => {
      const first = uploadBody(9, 'a');
      const firstUpload = upload(port, first);
      await upserting(1);
      const big = gzipSync(uploadBody(9, 'b'));
      const small = uploadBody(1, 'c');

      // A few KiB on the wire, 9 MiB once inflated: more than the 7 MiB left.
      const refused = rawRequest(port, { headers: { 'Content-Length': big.length, 'Content-Encoding': 'gzip' }, body: big });
      const refusal = await refused.answer;
      refused.socket.destroy();
      const admitted = rawRequest(port, {
        headers: { 'Content-Length': gzipSync(small).length, 'Content-Encoding': 'gzip' },
        body: gzipSync(small),
      });
      await upserting(2);

      expect(refusal.status).toBe(503);
      expect(JSON.parse(refusal.body)).toEqual(BUSY);
      // Each holds room for its body as it is in memory: the first as declared, the other as inflated.
      expect(await bodyBytesInFlight(port)).toBe(first.length + small.length);
      releaseUpserts();
      expect((await firstUpload).status).toBe(201);
      expect((await admitted.answer).status).toBe(201);
      admitted.socket.destroy();
      expect(uploadedBatch(documents.upsertMany, 1).documents[0].uniqueId).toBe('c0');
      expect(documents.upsertMany).toHaveBeenCalledTimes(2);
    });

    it('counts a chunked body as it arrives: one that finds no room on the way is answered 503 and stores nothing', async () => {
      const first = upload(port, uploadBody(9, 'a'));
      await upserting(1);
      const body = uploadBody(9, 'd');

      const chunked = rawRequest(port, { headers: { 'Transfer-Encoding': 'chunked' } });
      writeChunked(chunked.socket, body);
      chunked.socket.write('0\r\n\r\n');
      const answer = await chunked.answer;
      chunked.socket.destroy();

      expect(answer.status).toBe(503);
      expect(JSON.parse(answer.body)).toEqual(BUSY);
      expect(documents.upsertMany).toHaveBeenCalledTimes(1);
      releaseUpserts();
      expect((await first).status).toBe(201);
    });

    it('lets a refused client that goes on writing its 14 MB body read its 503, without a connection error', async () => {
      const first = upload(port, uploadBody(9, 'a'));
      await upserting(1);
      const body = uploadBody(14, 'f');
      const errors: Error[] = [];

      // A client library's way: it writes the whole body, whatever comes back meanwhile.
      const refused = await new Promise<{ status: number; retryAfter?: string; body: string; closed: Promise<unknown> }>((resolve) => {
        const req = httpRequest(
          { host: '127.0.0.1', port, method: 'POST', path: '/tracking/sms_documents', headers: { 'Content-Type': 'application/json' } },
          (res) => {
            let text = '';
            res.on('data', (chunk) => (text += chunk));
            res.on('end', () =>
              resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'], body: text, closed: once(req.socket!, 'close') }),
            );
          },
        );
        req.on('error', (error) => errors.push(error));
        req.end(body);
      });
      await refused.closed;

      expect(refused.status).toBe(503);
      expect(refused.retryAfter).toBe(String(BUSY_RETRY_AFTER_SECONDS));
      expect(JSON.parse(refused.body)).toEqual(BUSY);
      expect(errors).toEqual([]);
      releaseUpserts();
      expect((await first).status).toBe(201);
      expect(documents.upsertMany).toHaveBeenCalledTimes(1);
    });
  });

  describe('with a long wait (UPLOAD_WAIT_MS=60000)', () => {
    let app: INestApplication;
    let port: number;

    beforeAll(async () => ({ app, port } = await listening({ UPLOAD_WAIT_MS: '60000' })));
    afterAll(() => app.close());

    it('lets a waiting upload in when room comes free, and never holds a read', async () => {
      const first = upload(port, uploadBody(9, 'a'));
      await upserting(1);
      let secondAnswered = false;
      const second = upload(port, uploadBody(9, 'b')).finally(() => (secondAnswered = true));

      const read = await fetch(`http://127.0.0.1:${port}/tracking/sms_documents/${UBID}`);

      expect(read.status).toBe(200);
      expect(secondAnswered).toBe(false);
      expect(documents.upsertMany).toHaveBeenCalledTimes(1);
      releaseUpserts();
      expect((await first).status).toBe(201);
      expect((await second).status).toBe(201);
      expect(documents.upsertMany).toHaveBeenCalledTimes(2);
    });

    it('does not let clients that declare a body and send nothing lock the others out', async () => {
      releaseUpserts();
      // Each declares 1 MiB and sends one byte: together they ask for more than the budget.
      const stalled = Array.from({ length: 3 * BUDGET_MB }, () => rawRequest(port, { headers: { 'Content-Length': MiB }, body: '{' }));
      for (const { answer } of stalled) answer.catch(() => undefined);
      try {
        const normal = await upload(port, uploadBody(9, 'e'));

        expect(normal.status).toBe(201);
        expect(documents.upsertMany).toHaveBeenCalledTimes(1);
      } finally {
        stalled.forEach(({ socket }) => socket.destroy());
      }
    });
  });

  describe('a body that arrives too slowly (MIN_BODY_RATE_KIB_S=8)', () => {
    let app: INestApplication;
    let port: number;

    beforeAll(async () => ({ app, port } = await listening({ UPLOAD_WAIT_MS: '60000', MIN_BODY_RATE_KIB_S: '8' })));
    afterAll(() => app.close());
    // The windows of the minimum rate run on setInterval: faked, so that the test ends each
    // window when it has seen the body arrive; everything else keeps its real timers.
    beforeEach(() =>
      jest.useFakeTimers({
        doNotFake: [
          'Date',
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate',
          'clearImmediate',
          'setTimeout',
          'clearTimeout',
        ],
      }),
    );
    afterEach(() => jest.useRealTimers());

    it('keeps a body that sends its 80 KiB in a window, and answers 408 to one that does not, giving its room back', async () => {
      releaseUpserts();
      const slow = rawRequest(port, { headers: { 'Transfer-Encoding': 'chunked', Expect: '100-continue' } });
      let answered = false;
      const answer = slow.answer.finally(() => (answered = true));
      // "100 Continue": the body has been admitted, and its first window runs.
      await once(slow.socket, 'data');

      writeChunked(slow.socket, uploadBody(1, 'g').subarray(0, 100 * 1024));
      while ((await bodyBytesInFlight(port)) < 100 * 1024);
      jest.advanceTimersByTime(BODY_RATE_WINDOW_MS);
      expect(await bodyBytesInFlight(port)).toBe(100 * 1024);
      expect(answered).toBe(false);

      jest.advanceTimersByTime(BODY_RATE_WINDOW_MS);
      const refusal = await answer;
      slow.socket.destroy();

      expect(refusal.status).toBe(408);
      expect(refusal.headers.connection).toBe('close');
      const slowBody = {
        statusCode: 408,
        detail: 'The request body arrived slower than 8 KiB/s over 10 s (MIN_BODY_RATE_KIB_S)',
      };
      expect(JSON.parse(refusal.body)).toEqual(slowBody);
      // Word for word the example every operation that takes a body documents (test/documented-errors.e2e-spec.ts).
      expect(documentedExamples(app, 408)).toEqual(new Map(BODY_OPERATIONS.map((operationId) => [operationId, slowBody])));
      expect(await bodyBytesInFlight(port)).toBe(0);
      expect(documents.upsertMany).not.toHaveBeenCalled();
    });
  });

  // A client is its API key when the service has keys (authentication runs first), else its address.
  const KEY_A = 'a'.repeat(32);
  const KEY_B = 'b'.repeat(32);
  describe.each<[string, Record<string, string>, Sender, Sender]>([
    ['by address, without API keys', {}, { localAddress: '127.0.0.1' }, { localAddress: '127.0.0.2' }],
    [
      'by API key, from one address',
      { API_KEYS: `${KEY_A},${KEY_B}` },
      { headers: { Authorization: `Bearer ${KEY_A}` } },
      { headers: { Authorization: `Bearer ${KEY_B}` } },
    ],
  ])('the share of one client, told apart %s (MAX_INFLIGHT_BODY_MB=32: at most 16 MiB each)', (_how, env, client, otherClient) => {
    let app: INestApplication;
    let port: number;

    beforeAll(async () => ({ app, port } = await listening({ MAX_INFLIGHT_BODY_MB: '32', UPLOAD_WAIT_MS: '300', ...env })));
    afterAll(() => app.close());

    it('refuses a client more than its share, though the budget has room, and lets another client in', async () => {
      const first = upload(port, uploadBody(9, 'a'), client);
      await upserting(1);

      const second = uploadBody(9, 'b');
      const refused = rawRequest(port, {
        headers: { 'Content-Length': second.length, ...client.headers },
        body: second,
        localAddress: client.localAddress,
      });
      const refusal = await refused.answer;
      refused.socket.destroy();
      const other = upload(port, uploadBody(9, 'c'), otherClient);
      await upserting(2);

      expect(refusal.status).toBe(503);
      expect(JSON.parse(refusal.body)).toEqual(busy(32));
      releaseUpserts();
      expect((await first).status).toBe(201);
      expect((await other).status).toBe(201);
      expect([0, 1].map((call) => uploadedBatch(documents.upsertMany, call).documents[0].uniqueId)).toEqual(['a0', 'c0']);
    });
  });
});
