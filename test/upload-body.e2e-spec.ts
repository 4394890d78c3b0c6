import { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';

import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';

import { MAX_BODY_BYTES } from '../src/core/http/body-parsing';
import { DocumentBatchParser } from '../src/sms-document/upload/document-batch.parser';
import { UploadWorkers } from '../src/sms-document/upload/upload-workers';
import { createTestApp } from '../tools/app-in-process';
import { mockedRepositories, mockSmsDocumentRepository, mockSmsTransferRepository, uploadedBatch } from './helpers/mocks';
import { rawRequest, writeChunked } from './helpers/raw-request';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const documents = (count: number) =>
  Array.from({ length: count }, (_, index) => ({ uniqueId: `d${index}`, SMScount: 1, data: { text: `Grüße ${index}` } }));

/**
 * The upload route reads plain JSON bodies as bytes and parses them itself, on the event loop or
 * in a worker (see DocumentBatchPipe); every other body, and every body it cannot take, goes the
 * usual way. All ways must answer alike.
 */
describe('the upload route’s bodies (e2e, mocked repositories)', () => {
  let app: INestApplication;
  /** Where the app listens, for requests over a socket of our own: supertest mangles a compressed body. */
  let port: number;
  const repository = mockSmsDocumentRepository();
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    // No database: what reaches the repository is the subject here.
    app = await createTestApp(mockedRepositories(mockSmsTransferRepository(), repository));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    repository.upsertMany.mockResolvedValue(1);
  });

  it('refuses malformed JSON in the same words as on a route whose body is parsed as usual', async () => {
    await fc.assert(
      // Half of them open an object or an array, which the upload's parse takes on without the parser.
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 40 }),
          fc.tuple(fc.constantFrom('{', '[', ' {'), fc.string({ maxLength: 40 })).map(([start, rest]) => start + rest),
        ),
        async (text) => {
          fc.pre(!isJson(text));
          const upload = await http().post('/tracking/sms_documents').set('Content-Type', 'application/json').send(text);
          const transfer = await http().post('/tracking/sms_transfers').set('Content-Type', 'application/json').send(text);

          expect(upload.status).toBe(transfer.status);
          if (transfer.body.detail?.[0]?.type === 'json_invalid') expect(upload.body).toEqual(transfer.body);
        },
      ),
      { numRuns: 300 },
    );
    expect(repository.upsertMany).not.toHaveBeenCalled();
  });

  it.each([
    ['charset=utf-8', 'application/json; charset=utf-8'],
    ['charset=UTF-8 in quotes', 'application/json; charset="UTF-8"'],
  ])('stores an upload whose Content-Type has %s', async (_what, type) => {
    await http()
      .post('/tracking/sms_documents')
      .set('Content-Type', type)
      .send(JSON.stringify({ UBID, documents: documents(2) }))
      .expect(201);

    expect(uploadedBatch(repository.upsertMany)).toEqual({ UBID, count: 2, documents: documents(2) });
  });

  it.each(['/tracking/sms_documents', '/tracking/sms_documents/'])(
    'hands a plain JSON upload to %s on as its bytes, unparsed',
    async (path) => {
      const fromJson = jest.spyOn(DocumentBatchParser.prototype, 'fromJson');
      const body = JSON.stringify({ UBID, documents: documents(2) });

      await http().post(path).set('Content-Type', 'application/json').send(body).expect(201);

      expect(fromJson).toHaveBeenCalledTimes(1);
      expect(fromJson.mock.calls[0][0]).toEqual(Buffer.from(body));
      fromJson.mockRestore();
    },
  );

  describe('where a big upload is made into a batch', () => {
    const big = (tag: string, extra: object[] = []) =>
      JSON.stringify({
        UBID,
        documents: [...documents(3000).map((document) => ({ ...document, uniqueId: `${tag}${document.uniqueId}` })), ...extra],
      });
    const upload = (body: string) =>
      fetch(`http://127.0.0.1:${port}/tracking/sms_documents`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    let inWorker: jest.SpyInstance;

    beforeEach(() => (inWorker = jest.spyOn(app.get(UploadWorkers), 'batchOf')));
    afterEach(() => inWorker.mockRestore());

    /** Sends an upload whose write waits at the repository until `release()`: it stays in flight meanwhile. */
    async function heldUpload(body: string) {
      let release!: () => void;
      const atRepository = new Promise<void>((arrived) =>
        repository.upsertMany.mockImplementationOnce(() => {
          arrived();
          return new Promise((resolve) => (release = () => resolve(3000)));
        }),
      );
      const answer = upload(body);
      await atRepository;
      return { answer, release };
    }

    it('makes an upload alone into a batch on the event loop, and one beside another in a worker', async () => {
      const first = await heldUpload(big('a'));
      expect(inWorker).not.toHaveBeenCalled();

      const second = await upload(big('b'));
      first.release();

      expect(second.status).toBe(201);
      expect((await first.answer).status).toBe(201);
      expect(inWorker).toHaveBeenCalledTimes(1);
      expect(uploadedBatch(repository.upsertMany, 0).documents[0]).toMatchObject({ uniqueId: 'ad0' });
      expect(uploadedBatch(repository.upsertMany, 1).documents[0]).toMatchObject({ uniqueId: 'bd0' });
    });

    it('answers a big invalid upload made in a worker with the usual field errors', async () => {
      const first = await heldUpload(big('a'));

      const invalid = await upload(big('b', [{ uniqueId: 'x', SMScount: 0, data: {} }]));
      first.release();

      expect(inWorker).toHaveBeenCalledTimes(1);
      expect({ status: invalid.status, body: await invalid.json() }).toEqual({
        status: 422,
        body: {
          statusCode: 422,
          detail: [{ loc: ['body', 'documents', 3000, 'SMScount'], msg: 'SMScount must not be less than 1', type: 'min' }],
        },
      });
      expect((await first.answer).status).toBe(201);
      expect(repository.upsertMany).toHaveBeenCalledTimes(1);
    });

    const named = (uniqueId: string, ids: object) => ({ uniqueId, SMScount: 1, data: {}, ...ids });
    it.each([
      [
        'a gateway without a message id',
        [named('x', { gateway: 'jasmin' })],
        {
          statusCode: 422,
          detail: [{ loc: ['body', 'documents', 3000, 'messageId'], msg: 'messageId must be given with gateway', type: 'givenTogether' }],
        },
      ],
      [
        'one message id named for two documents',
        [named('x', { gateway: 'jasmin', messageId: 'Msg-1' }), named('y', { gateway: 'jasmin', messageId: 'msg-1' })],
        { statusCode: 422, detail: "Message id 'msg-1' of gateway 'jasmin' is named for two documents, 'x' and 'y'" },
      ],
    ])('answers a big upload with %s alike in a worker and on the event loop', async (_what, extra, answer) => {
      const first = await heldUpload(big('a'));

      const inAWorker = await upload(big('b', extra));
      first.release();
      expect((await first.answer).status).toBe(201);
      const onTheEventLoop = await upload(big('c', extra));

      expect(inWorker).toHaveBeenCalledTimes(1);
      expect({ status: inAWorker.status, body: await inAWorker.json() }).toEqual({ status: 422, body: answer });
      expect({ status: onTheEventLoop.status, body: await onTheEventLoop.json() }).toEqual({ status: 422, body: answer });
      expect(repository.upsertMany).toHaveBeenCalledTimes(1);
    });
  });

  it('stores a compressed upload, inflated on its way to the parser', async () => {
    const body = gzipSync(JSON.stringify({ UBID, documents: documents(3000) }));

    const response = await fetch(`http://127.0.0.1:${port}/tracking/sms_documents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body,
    });

    expect(response.status).toBe(201);

    expect(uploadedBatch(repository.upsertMany)).toEqual({ UBID, count: 3000, documents: documents(3000) });
  });

  it.each([
    // The parser's own answer to zlib's errors.
    ['that is not gzip', 'gzip', 'application/json', Buffer.from('{"UBID": 1}'), 400, 'Bad Request'],
    ['cut short', 'gzip', 'application/json', gzipSync('{"UBID": 1}').subarray(0, 12), 400, 'Bad Request'],
    ['in an encoding it does not know', 'compress', 'application/json', gzipSync('{}'), 415, 'unsupported content encoding "compress"'],
    [
      'in an encoding named as every object’s prototype',
      '__proto__',
      'application/json',
      gzipSync('{}'),
      415,
      'unsupported content encoding "__proto__"',
    ],
    [
      'over 16 MiB once inflated',
      'gzip',
      'application/json',
      gzipSync(`{"UBID":"${'x'.repeat(MAX_BODY_BYTES)}"}`),
      413,
      'Request body is larger than the 16 MiB limit',
    ],
    [
      'in a charset it cannot read',
      'deflate',
      'application/json; charset=klingon',
      deflateSync('{}'),
      415,
      'unsupported charset "KLINGON"',
    ],
    [
      'that is not UTF-8',
      'br',
      'application/json',
      brotliCompressSync(Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d])),
      422,
      [{ loc: ['body'], msg: 'Invalid JSON: the body is not valid UTF-8', type: 'json_invalid' }],
    ],
    [
      'that is not JSON',
      'gzip',
      'application/json',
      gzipSync('{"UBID": '),
      422,
      [{ loc: ['body'], msg: expect.stringMatching(/^Invalid JSON: /) as unknown, type: 'json_invalid' }],
    ],
  ])('answers a compressed body %s on the upload route as on any other', async (_what, encoding, type, body, status, detail) => {
    const post = async (path: string) => {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': type, 'Content-Encoding': encoding },
        body,
      });
      return { status: response.status, body: await response.json() };
    };

    expect(await post('/tracking/sms_documents')).toEqual({ status, body: { statusCode: status, detail } });
    expect(await post('/tracking/sms_transfers')).toEqual({ status, body: { statusCode: status, detail } });
    expect(repository.upsertMany).not.toHaveBeenCalled();
  });

  it('answers a chunked body over 16 MiB 413 on the upload route as on any other', async () => {
    const body = Buffer.from(`{"UBID":"${'x'.repeat(MAX_BODY_BYTES)}"}`);
    const post = async (path: string) => {
      const sent = rawRequest(port, { path, headers: { 'Transfer-Encoding': 'chunked' } });
      writeChunked(sent.socket, body);
      sent.socket.write('0\r\n\r\n');
      const answer = await sent.answer;
      sent.socket.destroy();
      return { status: answer.status, body: JSON.parse(answer.body) as unknown };
    };

    const tooLarge = { status: 413, body: { statusCode: 413, detail: 'Request body is larger than the 16 MiB limit' } };
    expect(await post('/tracking/sms_documents')).toEqual(tooLarge);
    expect(await post('/tracking/sms_transfers')).toEqual(tooLarge);
  });

  it('answers a big invalid upload alone, made on the event loop, with the usual field errors', async () => {
    const invalid = [...documents(3000), { uniqueId: 'x', SMScount: 0, data: {} }];

    const response = await http().post('/tracking/sms_documents').send({ UBID, documents: invalid }).expect(422);

    expect(response.body).toEqual({
      statusCode: 422,
      detail: [{ loc: ['body', 'documents', 3000, 'SMScount'], msg: 'SMScount must not be less than 1', type: 'min' }],
    });
    expect(repository.upsertMany).not.toHaveBeenCalled();
  });
});

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
