import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { generateDocuments } from '../src/loader/document-generator';
import { createTestApp } from '../tools/app-in-process';
import { createDatabase, describeEachDatabase, SHARED_DATABASES } from './helpers/test-database';

const UBID = '3d5f1a2b-7c4e-4f1a-9b2c-5e6d7f8a9b0c';
/** The trial (100,000 documents, 60,000 SENT, 50,000 DONE) at a fifth of its size. */
const DOCUMENTS = 20_000;
const SENT = 12_000;
const DONE = 10_000;
const PER_REQUEST = 5000;
const PAGE = 900;

const documents = [...generateDocuments(DOCUMENTS)];
const uniqueIds = documents.map((document) => document.uniqueId);

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}

/**
 * One batch from registration to DONE through the routes of issue 6, on a real database with no
 * mocks: every number the API gives along the way agrees with the others.
 */
describeEachDatabase(SHARED_DATABASES, 'delivery tracking on %s (e2e)', (kind) => {
  let app: INestApplication;
  let removeDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await createDatabase(kind);
    removeDatabase = database.remove;
    app = await createTestApp([], database.url);
  });
  afterAll(async () => {
    await app.close();
    await removeDatabase();
  });

  const http = () => request(app.getHttpServer());
  const summary = async () => (await http().get(`/tracking/sms_documents/${UBID}/summary`).expect(200)).body;

  async function listSent(after?: string): Promise<{ items: { uniqueId: string; state: string }[]; next: string | null }> {
    const query = { state: 'SENT', limit: PAGE, ...(after && { after }) };
    return (await http().get(`/tracking/sms_documents/${UBID}/documents`).query(query).expect(200)).body;
  }

  async function receipts(state: string, ids: string[]): Promise<number> {
    let changed = 0;
    for (const chunk of chunks(ids, PER_REQUEST)) {
      const { body } = await http().post(`/tracking/sms_documents/${UBID}/receipts`).send({ state, uniqueIds: chunk }).expect(200);
      expect(body).toMatchObject({ unchanged: 0, unknown: [] });
      changed += body.changed;
    }
    return changed;
  }

  it('counts, lists and falls back consistently from upload to DONE', async () => {
    await http()
      .post('/tracking/sms_transfers')
      .send({ UBID, SMScount: DOCUMENTS, documents: DOCUMENTS, fileName: 'f', origName: 'o' })
      .expect(201);
    expect(await summary()).toEqual({ UBID, total: 0, INIT: 0, SENT: 0, DONE: 0, lastChange: null });
    for (const chunk of chunks(documents, PER_REQUEST)) {
      await http().post('/tracking/sms_documents').send({ UBID, documents: chunk }).expect(201);
    }

    expect(await receipts('SENT', uniqueIds.slice(0, SENT))).toBe(SENT);
    expect(await receipts('DONE', uniqueIds.slice(0, DONE))).toBe(DONE);

    const progress = await summary();
    expect(progress).toEqual({ UBID, total: DOCUMENTS, INIT: DOCUMENTS - SENT, SENT: SENT - DONE, DONE, lastChange: expect.any(String) });
    expect(Math.abs(Date.now() - Date.parse(progress.lastChange))).toBeLessThan(60_000);

    const listed: string[] = [];
    let after: string | undefined;
    do {
      const page = await listSent(after);
      listed.push(...page.items.map((item) => (expect(item.state).toBe('SENT'), item.uniqueId)));
      after = page.next ?? undefined;
    } while (after);
    expect(listed).toEqual(uniqueIds.slice(DONE, SENT));

    const { body: transfer } = await http().post(`/tracking/sms_transfers/${UBID}/fallback`).expect(200);
    expect(transfer.fallbackCount).toBe(progress.INIT + progress.SENT);
    expect((await http().get(`/tracking/sms_transfers/${UBID}`).expect(200)).body.fallbackCount).toBe(DOCUMENTS - DONE);
  });

  /** A transfer of its own with `count` documents, `DONE` and `SENT` receipts for the first ones: a test needs no other's data. */
  async function smallBatch(ubid: string, count: number, { done, sent }: { done: number; sent: number }): Promise<string[]> {
    const ids = uniqueIds.slice(0, count);
    await http()
      .post('/tracking/sms_transfers')
      .send({ UBID: ubid, SMScount: count, documents: count, fileName: 'f', origName: 'o' })
      .expect(201);
    await http()
      .post('/tracking/sms_documents')
      .send({ UBID: ubid, documents: documents.slice(0, count) })
      .expect(201);
    await http()
      .post(`/tracking/sms_documents/${ubid}/receipts`)
      .send({ state: 'SENT', uniqueIds: ids.slice(0, sent) })
      .expect(200);
    await http()
      .post(`/tracking/sms_documents/${ubid}/receipts`)
      .send({ state: 'DONE', uniqueIds: ids.slice(0, done) })
      .expect(200);
    return ids;
  }
  const summaryOf = async (ubid: string) => (await http().get(`/tracking/sms_documents/${ubid}/summary`).expect(200)).body;

  it('refuses to move a delivered document back, atomically, and reads it with its data', async () => {
    const ubid = '4d5f1a2b-7c4e-4f1a-9b2c-5e6d7f8a9b0c';
    const ids = await smallBatch(ubid, 3, { done: 1, sent: 1 });
    const [delivered, , waiting] = ids;
    const before = await summaryOf(ubid);
    expect(before).toMatchObject({ total: 3, INIT: 2, SENT: 0, DONE: 1 });

    await http()
      .post(`/tracking/sms_documents/${ubid}/receipts`)
      .send({ state: 'SENT', uniqueIds: [waiting, delivered, 'nothing'] })
      .expect(409, {
        statusCode: 409,
        detail: `Cannot move document '${delivered}' of UBID '${ubid}' from 'DONE' back to 'SENT' in table tracking.sms_documents`,
      });

    expect(await summaryOf(ubid)).toEqual(before);
    const { body } = await http().get(`/tracking/sms_documents/${ubid}/documents/${waiting}`).expect(200);
    expect(body).toMatchObject({ UBID: ubid, uniqueId: waiting, state: 'INIT', data: documents[2].data });
  });

  it('moves the whole batch and the transfer forward only, and the upsert back to INIT', async () => {
    const ubid = '5d5f1a2b-7c4e-4f1a-9b2c-5e6d7f8a9b0c';
    // 2 DONE, 1 SENT, 3 INIT.
    await smallBatch(ubid, 6, { done: 2, sent: 3 });

    await http()
      .put(`/tracking/sms_documents/${ubid}/SENT`)
      .expect(200, { result: `Updated state to 'SENT' in 3 row(s) for UBID '${ubid}' in table tracking.sms_documents`, count: 3 });
    expect(await summaryOf(ubid)).toMatchObject({ INIT: 0, SENT: 4, DONE: 2 });

    await http().put(`/tracking/sms_transfers/${ubid}/DONE`).expect(200);
    await http().put(`/tracking/sms_transfers/${ubid}/DONE`).expect(200);
    await http()
      .put(`/tracking/sms_transfers/${ubid}/SENT`)
      .expect(409, { statusCode: 409, detail: `Cannot move UBID '${ubid}' from 'DONE' back to 'SENT' in table tracking.sms_transfers` });

    await http()
      .post('/tracking/sms_documents')
      .send({ UBID: ubid, documents: documents.slice(0, 2) })
      .expect(201);
    expect(await summaryOf(ubid)).toMatchObject({ INIT: 2, SENT: 4, DONE: 0 });
  });
});
