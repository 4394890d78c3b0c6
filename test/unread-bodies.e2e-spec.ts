import { AddressInfo } from 'node:net';

import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { MAX_BODY_BYTES } from '../src/core/http/body-parsing';
import { routesWithBodyParameter, routesWithRawJsonBody } from '../src/core/http/body-routes';
import { TrackingState } from '../src/tracking/tracking-state';
import { createTestApp } from '../tools/app-in-process';
import { storedTransfer } from './helpers/documents';
import { mockedRepositories, mockSmsDocumentRepository, mockSmsTransferRepository } from './helpers/mocks';
import { rawRequest } from './helpers/raw-request';

const KEY = '3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e';
const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const MISSING = { statusCode: 401, detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"' };
const TRANSFER = storedTransfer(UBID);

/**
 * A body is read only for a route that takes one, and only once its caller is authenticated:
 * nothing else makes the service read, parse or hold room for a body. Each request here declares
 * a body and sends its first KiB only: an answer proves that the rest was not waited for.
 */
describe('request bodies read only where a route takes one (e2e, mocked repositories, with API_KEYS)', () => {
  let app: INestApplication;
  let port: number;
  const transfers = mockSmsTransferRepository();
  const documents = mockSmsDocumentRepository();
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp(
      // No database: which requests read a body is the subject here.
      mockedRepositories(transfers, documents),
      'sqlite::memory:',
      // The smallest budget: one body that took room for nothing would leave no room for an upload.
      { API_KEYS: KEY, MAX_INFLIGHT_BODY_MB: '16', UPLOAD_WAIT_MS: '300' },
    );
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    transfers.findByUbid.mockResolvedValue(TRANSFER);
    transfers.updateState.mockResolvedValue({ ...TRANSFER, state: TrackingState.SENT });
    transfers.delete.mockResolvedValue(true);
    transfers.setFallbackCountFromDocuments.mockResolvedValue(TRANSFER);
    documents.upsertMany.mockResolvedValue(1);
    documents.countByUbid.mockResolvedValue(1);
  });

  async function bodyBytesInFlight(): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^tracking_body_bytes_in_flight (\d+)$/m.exec(text)![1]);
  }

  /** The answer to `method path` declaring a 16 MiB body of which the first KiB is sent. */
  async function withUnreadBody(method: string, path: string, headers: Record<string, string> = {}) {
    const sent = rawRequest(port, {
      method,
      path,
      headers: { 'Content-Length': MAX_BODY_BYTES, ...headers },
      body: `{"text":"${'x'.repeat(1024)}`,
    });
    const answer = await sent.answer;
    sent.socket.destroy();
    return { status: answer.status, connection: answer.headers.connection, body: JSON.parse(answer.body || 'null') as unknown };
  }

  it('finds the routes whose handlers take a @Body() in the controllers, and of those the upload takes its JSON as bytes', () => {
    expect(routesWithBodyParameter(app).sort((a, b) => `${a.path} ${a.method}`.localeCompare(`${b.path} ${b.method}`))).toEqual([
      { method: 'POST', path: '/tracking/gateways/jasmin/dlr' },
      { method: 'POST', path: '/tracking/gateways/twilio/status' },
      { method: 'POST', path: '/tracking/receipts' },
      { method: 'POST', path: '/tracking/sms_documents' },
      { method: 'POST', path: '/tracking/sms_documents/:ubid/receipts' },
      { method: 'POST', path: '/tracking/sms_documents/:ubid/submissions' },
      { method: 'POST', path: '/tracking/sms_transfers' },
      { method: 'PUT', path: '/tracking/sms_transfers/:ubid/fallback' },
    ]);
    expect(routesWithRawJsonBody(app)).toEqual([{ method: 'POST', path: '/tracking/sms_documents' }]);
  });

  it('gives no room to keyless sockets stalled in a compressed body to POST /health, and an authenticated upload gets in', async () => {
    const stalled = [1, 2, 3].map(() =>
      rawRequest(port, { method: 'POST', path: '/health', headers: { 'Content-Encoding': 'gzip', 'Content-Length': 10 } }),
    );
    try {
      const answers = await Promise.all(stalled.map(({ answer }) => answer));

      expect(answers.map(({ status, body }) => ({ status, body: JSON.parse(body) as unknown }))).toEqual(
        [1, 2, 3].map(() => ({ status: 404, body: { statusCode: 404, detail: 'Cannot POST /health' } })),
      );
      expect(await bodyBytesInFlight()).toBe(0);
      const upload = await fetch(`http://127.0.0.1:${port}/tracking/sms_documents`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
        body: JSON.stringify({ UBID, documents: [{ uniqueId: 'u1', SMScount: 1, data: {} }] }),
      });
      expect(upload.status).toBe(201);
    } finally {
      stalled.forEach(({ socket }) => socket.destroy());
    }
  });

  it.each(['/health', '/nowhere', '/metrics'])('answers a keyless 16 MiB body to POST %s without reading it', async (path) => {
    expect(await withUnreadBody('POST', path)).toEqual({
      status: 404,
      connection: 'close',
      body: { statusCode: 404, detail: `Cannot POST ${path}` },
    });
    expect(await bodyBytesInFlight()).toBe(0);
  });

  it.each(['/tracking/sms_documents', `/tracking/sms_documents/${UBID}/receipts`, '/tracking/sms_transfers'])(
    'answers a keyless body to POST %s, which takes one, 401 without reading it',
    async (path) => {
      expect(await withUnreadBody('POST', path)).toEqual({ status: 401, connection: 'close', body: MISSING });
      expect(documents.upsertMany).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['GET', `/tracking/sms_transfers/${UBID}`, 200],
    ['PUT', `/tracking/sms_transfers/${UBID}/SENT`, 200],
    ['POST', `/tracking/sms_transfers/${UBID}/fallback`, 200],
    ['DELETE', `/tracking/sms_transfers/${UBID}`, 204],
  ])('answers an authenticated %s %s, which takes no body, as without one (%i), without reading it', async (method, path, status) => {
    const withoutBody = await http()[method.toLowerCase() as 'get' | 'put' | 'post' | 'delete'](path).set('Authorization', `Bearer ${KEY}`);
    expect(withoutBody.status).toBe(status);

    expect(await withUnreadBody(method, path, { Authorization: `Bearer ${KEY}` })).toEqual({
      status: withoutBody.status,
      connection: 'close',
      body: withoutBody.text === '' ? null : withoutBody.body,
    });
  });
});
