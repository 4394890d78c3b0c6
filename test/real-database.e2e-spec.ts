import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { createTestApp } from '../tools/app-in-process';
import { createDatabase, describeEachDatabase, SHARED_DATABASES, storedJson } from './helpers/test-database';

/** Each test has a transfer of its own, so that none depends on what another left behind. */
const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const EXACT_UBID = '1b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const LIFE_CYCLE_UBID = '2b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const NUL_UBID = '3b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const UPLOADS = 20;
const DOCUMENTS_PER_UPLOAD = 250;

function upload(index: number, ubid = UBID) {
  return {
    UBID: ubid,
    documents: Array.from({ length: DOCUMENTS_PER_UPLOAD }, (_, row) => ({
      SMScount: 1,
      uniqueId: `u${index}-${row}`,
      data: { upload: index, row },
    })),
  };
}

/**
 * The whole stack on a real database, no mocks: checks the HTTP answer and the rows behind it, above
 * all that concurrent requests each get their own transaction (on SQLite, TypeORM's one connection).
 */
describeEachDatabase(SHARED_DATABASES, 'the service on %s (e2e)', (kind) => {
  let app: INestApplication;
  let sql: DataSource['query'];
  let removeDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await createDatabase(kind);
    removeDatabase = database.remove;
    app = await createTestApp([], database.url);
    const dataSource = app.get(DataSource);
    sql = dataSource.query.bind(dataSource);
  });
  afterAll(async () => {
    await app.close();
    await removeDatabase();
  });

  const http = () => request(app.getHttpServer());
  const createTransfer = (ubid: string) =>
    http().post('/tracking/sms_transfers').send({ UBID: ubid, SMScount: 1, documents: 1, fileName: 'f', origName: 'o' }).expect(201);
  /** The documents stored for one transfer, counted in SQL (placeholders differ by engine). */
  const storedOf = async (ubid: string) =>
    (await sql(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "sms_documents" WHERE "UBID" = ${kind === 'postgres' ? '$1' : '?'}`, [ubid]))[0]
      .n;

  it('stores every one of 20 uploads fired at once, while an upload for an unknown batch fails alone', async () => {
    await createTransfer(UBID);
    const unknown = '6f1c9a52-2d7e-4c1b-8d3a-000000000000';

    const responses = await Promise.all([
      ...Array.from({ length: UPLOADS }, (_, index) => http().post('/tracking/sms_documents').send(upload(index))),
      http().post('/tracking/sms_documents').send(upload(99, unknown)),
    ]);

    const statuses = responses.map((response) => response.status);
    expect(statuses).toEqual([...Array<number>(UPLOADS).fill(201), 422]);
    expect(responses[UPLOADS].body.detail).toMatch(
      /^Failed Upsert of UBID '6f1c9a52-.*' document\(s\) in table tracking\.sms_documents => .*(FOREIGN KEY constraint failed|violates foreign key constraint)/,
    );
    await http()
      .get(`/tracking/sms_documents/${UBID}`)
      .expect(200, { result: `Found 5000 document(s) for UBID '${UBID}' in table tracking.sms_documents`, count: 5000 });
    expect(await storedOf(UBID)).toBe(UPLOADS * DOCUMENTS_PER_UPLOAD);
    expect(await storedOf(unknown)).toBe(0);
  });

  it('stores data exactly as sent and answers times in ISO 8601 UTC', async () => {
    await createTransfer(EXACT_UBID);
    const data = { text: 'Grüße 👋', nested: { list: [1, { deep: null }], flag: false } };
    await http()
      .post('/tracking/sms_documents')
      .send({ UBID: EXACT_UBID, documents: [{ SMScount: 2, uniqueId: 'exact', data }] })
      .expect(201);

    const [row] = await sql(`SELECT "data", "state" FROM "sms_documents" WHERE "uniqueId" = 'exact'`);
    expect(storedJson(row.data)).toEqual(data);
    expect(row.state).toBe('INIT');
    const transfer = await http().get(`/tracking/sms_transfers/${EXACT_UBID}`).expect(200);
    expect(transfer.body.when).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('moves the documents to a state, then deletes the transfer with its documents', async () => {
    await createTransfer(LIFE_CYCLE_UBID);
    await http().post('/tracking/sms_documents').send(upload(0, LIFE_CYCLE_UBID)).expect(201);

    const updated = await http().put(`/tracking/sms_documents/${LIFE_CYCLE_UBID}/SENT/`).expect(200);
    expect(updated.body.count).toBe(DOCUMENTS_PER_UPLOAD);
    expect(await sql(`SELECT DISTINCT "state" FROM "sms_documents" WHERE "UBID" = '${LIFE_CYCLE_UBID}'`)).toEqual([{ state: 'SENT' }]);

    await http().delete(`/tracking/sms_transfers/${LIFE_CYCLE_UBID}/`).expect(204);

    expect(await storedOf(LIFE_CYCLE_UBID)).toBe(0);
    await http().get(`/tracking/sms_documents/${LIFE_CYCLE_UBID}`).expect(404);
  });

  // PostgreSQL cannot hold U+0000 in text: a read with it answered 500 there, an upload the engine's own 422.
  it.each([
    ['get', `/tracking/sms_documents/${NUL_UBID}/documents/a%00b`, undefined, ['path', 'uniqueId'], 'uniqueId'],
    ['get', `/tracking/sms_documents/${NUL_UBID}/documents?after=%00`, undefined, ['query', 'after'], 'after'],
    [
      'post',
      '/tracking/sms_documents',
      { UBID: NUL_UBID, documents: [{ SMScount: 1, uniqueId: 'a\0', data: {} }] },
      ['body', 'documents', 0, 'uniqueId'],
      'uniqueId',
    ],
    [
      'post',
      '/tracking/sms_documents',
      { UBID: NUL_UBID, documents: [{ SMScount: 1, uniqueId: 'a', data: { text: 'x\0y' } }] },
      ['body', 'documents', 0, 'data', 'text'],
      'text',
    ],
    [
      'post',
      `/tracking/sms_documents/${NUL_UBID}/receipts`,
      { state: 'SENT', uniqueIds: ['a\0'] },
      ['body', 'uniqueIds', 0],
      'each value in uniqueIds',
    ],
    [
      'post',
      '/tracking/sms_transfers',
      { UBID: NUL_UBID, SMScount: 1, documents: 1, fileName: 'f\0', origName: 'o' },
      ['body', 'fileName'],
      'fileName',
    ],
  ] as const)('refuses a NUL character with 422: %s %s', async (method, path, body, loc, name) => {
    await createTransfer(NUL_UBID);
    const call = http()[method](path);

    await (body === undefined ? call : call.send(body)).expect(422, {
      statusCode: 422,
      detail: [{ loc, msg: `${name} must not contain the NUL character (U+0000)`, type: 'noNulCharacter' }],
    });
    expect(await storedOf(NUL_UBID)).toBe(0);
    const { body: stored } = await http().get(`/tracking/sms_transfers/${NUL_UBID}`).expect(200);
    expect(stored.fileName).toBe('f');
  });
});
