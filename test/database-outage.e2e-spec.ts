import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { createTestApp } from '../tools/app-in-process';
import { holdSqliteWriteLock } from './helpers/sqlite-lock';
import { TcpProxy } from './helpers/tcp-proxy';
import { createDatabase, describeOnPostgres } from './helpers/test-database';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const TRANSFER = { UBID, SMScount: 2, documents: 2, fileName: 'f', origName: 'o' };
const upload = (uniqueId: string) => ({ UBID, documents: [{ SMScount: 1, uniqueId, data: { text: uniqueId } }] });

/** Polls until the service answers the request with `status`; the pool reconnects in its own time. */
async function eventually(send: () => Promise<request.Response>, status: number, attempts = 50): Promise<request.Response> {
  let response = await send();
  for (let attempt = 1; attempt < attempts && response.status !== status; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    response = await send();
  }
  return response;
}

/**
 * The database goes away under a running service (real databases, no mocks): requests answer 503
 * with a detail and Retry-After, nothing is half-written, the process keeps serving, and it
 * recovers by itself once the database is back.
 */
describe('database outage (e2e)', () => {
  describe('SQLite file locked by another program', () => {
    let app: INestApplication;
    let file: string;
    let removeDatabase: () => Promise<void>;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      const database = await createDatabase('sqlite-file');
      removeDatabase = database.remove;
      file = database.url.slice('sqlite:'.length);
      app = await createTestApp([], database.url, { SQLITE_BUSY_TIMEOUT_MS: '200' });
      await http().post('/tracking/sms_transfers').send(TRANSFER).expect(201);
    });
    afterAll(async () => {
      await app.close();
      await removeDatabase();
    });

    it('answers 503 to writes while the lock is held, keeps reading, and writes again once it is released', async () => {
      const lock = await holdSqliteWriteLock(file);
      try {
        const refused = await http().post('/tracking/sms_documents').send(upload('0000000001')).expect(503, {
          statusCode: 503,
          detail: 'Database unavailable: the database file is locked by another program. Retry later.',
        });
        expect(refused.headers['retry-after']).toBe('5');
        await http().put(`/tracking/sms_transfers/${UBID}/SENT`).expect(503);
        // WAL: readers are not blocked by a writer, so reads and readiness carry on.
        await http().get(`/tracking/sms_transfers/${UBID}`).expect(200);
        await http().get('/health/ready').expect(200);
      } finally {
        await lock.release();
      }

      await http().post('/tracking/sms_documents').send(upload('0000000001')).expect(201);
      await http()
        .get(`/tracking/sms_documents/${UBID}`)
        .expect(200, {
          result: `Found 1 document(s) for UBID '${UBID}' in table tracking.sms_documents`,
          count: 1,
        });
    });
  });

  describeOnPostgres('PostgreSQL server unreachable', () => {
    let app: INestApplication;
    let proxy: TcpProxy;
    let removeDatabase: () => Promise<void>;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      const database = await createDatabase('postgres');
      removeDatabase = database.remove;
      const url = new URL(database.url);
      proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
      await proxy.restore();
      url.host = `127.0.0.1:${proxy.port}`;
      app = await createTestApp([], url.toString());
      await http().post('/tracking/sms_transfers').send(TRANSFER).expect(201);
    });
    afterAll(async () => {
      await app.close();
      await proxy.cut();
      await removeDatabase();
    });

    it('answers 503 and is not ready while the server is gone, stays alive, and recovers by itself', async () => {
      await proxy.cut();

      await http().post('/tracking/sms_documents').send(upload('0000000001')).expect(503, {
        statusCode: 503,
        detail: 'Database unavailable: the database server cannot be reached. Retry later.',
      });
      await http().get(`/tracking/sms_transfers/${UBID}`).expect(503);
      await http().get('/health/ready').expect(503, { statusCode: 503, detail: 'Not ready: the database server cannot be reached' });
      await http().get('/health').expect(200);

      await proxy.restore();

      expect((await eventually(() => http().get('/health/ready'), 200)).status).toBe(200);
      expect((await eventually(() => http().post('/tracking/sms_documents').send(upload('0000000002')), 201)).status).toBe(201);
      await http()
        .get(`/tracking/sms_documents/${UBID}`)
        .expect(200, {
          result: `Found 1 document(s) for UBID '${UBID}' in table tracking.sms_documents`,
          count: 1,
        });
    });
  });
});
