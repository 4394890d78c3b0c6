import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { PAGE_CONTENT_SECURITY_POLICY } from '../src/progress-page/progress-page.controller';
import { SUMMARY_FRESHNESS, SummaryCache } from '../src/progress-page/summary-cache';
import { SmsDocumentRepository } from '../src/sms-document/sms-document.repository';
import { createTestApp } from '../tools/app-in-process';
import { loadTestData } from './helpers/load-test-data';
import { createDatabase } from './helpers/test-database';

interface TestData {
  apiKey: string;
  transfer: { UBID: string; fileName: string; origName: string; documents: number; SMScount: number };
  documents: { uniqueId: string; SMScount: number; data: Record<string, unknown> }[];
  summaryAfterUpload: Record<string, number>;
  receipts: { state: string; uniqueIds: string[] };
  summaryAfterReceipts: Record<string, number>;
  unknownUbid: string;
}

const { apiKey, transfer, documents, summaryAfterUpload, receipts, summaryAfterReceipts, unknownUbid } = loadTestData<TestData>(__filename);
const { UBID } = transfer;

describe('progress page: the page, its assets and its CSP (e2e)', () => {
  let app: INestApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp([], 'sqlite::memory:', { API_KEYS: apiKey });
  });
  afterAll(() => app.close());

  it('serves the page at / without a key, under its own stricter policy, with no inline script or style', async () => {
    const response = await http().get('/').expect(200).expect('Content-Type', 'text/html; charset=utf-8');

    // Word for word: a policy compared only with the constant that produces it could lose a directive unseen.
    expect(response.headers['content-security-policy']).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('no-cache');
    const html = response.text;
    expect(html).toContain('<script src="page/app.js" defer></script>');
    expect(html).toContain('<link rel="stylesheet" href="page/app.css" />');
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(html).not.toMatch(/https?:\/\//);
  });

  it.each([
    ['app.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'],
  ])('serves page/%s without a key, to be revalidated', async (asset, type) => {
    const response = await http().get(`/page/${asset}`).expect(200).expect('Content-Type', type);
    expect(response.headers['cache-control']).toBe('no-cache');
    await http().get(`/page/${asset}`).set('If-None-Match', response.headers.etag).expect(304);
  });

  it('serves nothing else from the page folder', async () => {
    await http().get('/page/index.html').expect(404);
    await http().get('/page/..%2F..%2Fpackage.json').expect(404);
  });

  it('leaves the API under helmet’s policy, and its data behind the key', async () => {
    const response = await http().get('/tracking/progress/transfers').expect(401);
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['content-security-policy']).not.toBe(PAGE_CONTENT_SECURITY_POLICY);
    await http().get('/tracking/progress/transfers').set('Authorization', `Bearer ${apiKey}`).expect(200, { total: 0, items: [] });
  });
});

describe('progress page: the progress routes on a SQLite file (e2e)', () => {
  let app: INestApplication;
  let removeDatabase: () => Promise<void>;
  let countStates: jest.SpyInstance;
  /** The cache's clock, moved by the tests: the freshness window without waiting for it. */
  const clock = { time: 0, now: () => clock.time };
  const http = () => request(app.getHttpServer());
  const progressPath = `/tracking/progress/transfers/${UBID}`;

  beforeAll(async () => {
    const database = await createDatabase('sqlite-file');
    removeDatabase = database.remove;
    app = await createTestApp([{ provide: SummaryCache, useValue: new SummaryCache(SUMMARY_FRESHNESS, clock) }], database.url);
    await http().post('/tracking/sms_transfers').send(transfer).expect(201);
    await http().post('/tracking/sms_documents').send({ UBID, documents }).expect(201);
    countStates = jest.spyOn(app.get(SmsDocumentRepository), 'countStates');
  });
  afterAll(async () => {
    await app.close();
    await removeDatabase();
  });
  beforeEach(() => {
    // Past any window a previous test left open.
    clock.time += 1_000_000;
    countStates.mockClear();
  });

  it('answers a transfer with its summary, and an ETag that makes the same question a 304 without a body', async () => {
    const first = await http().get(progressPath).expect(200);
    expect(first.body.transfer).toMatchObject({ ...transfer, state: 'INIT', fallbackCount: 0 });
    expect(first.body.summary).toMatchObject({ UBID, ...summaryAfterUpload });
    expect(first.headers['cache-control']).toBe('private, no-cache');
    expect(first.headers.etag).toEqual(expect.any(String));

    const again = await http().get(progressPath).set('If-None-Match', first.headers.etag).expect(304);
    expect(again.text).toBe('');
  });

  it('counts a batch once for 50 pages asking at once, and not again within the window', async () => {
    const answers = await Promise.all(Array.from({ length: 50 }, () => http().get(progressPath)));

    expect(answers.map(({ status }) => status)).toEqual(Array(50).fill(200));
    expect(countStates).toHaveBeenCalledTimes(1);
    clock.time += SUMMARY_FRESHNESS.minFreshMs - 1;
    await http().get(progressPath).expect(200);
    await http().get('/tracking/progress/transfers').expect(200);
    expect(countStates).toHaveBeenCalledTimes(1);
  });

  it('shows receipts once the window is over, with a new ETag; the exact summary route shows them at once', async () => {
    const before = await http().get(progressPath).expect(200);
    await http().post(`/tracking/sms_documents/${UBID}/receipts`).send(receipts).expect(200);

    await http()
      .get(`/tracking/sms_documents/${UBID}/summary`)
      .expect(200)
      .expect(({ body }) => expect(body).toMatchObject(summaryAfterReceipts));
    await http().get(progressPath).set('If-None-Match', before.headers.etag).expect(304);
    clock.time += SUMMARY_FRESHNESS.minFreshMs;
    const after = await http().get(progressPath).set('If-None-Match', before.headers.etag).expect(200);
    expect(after.body.summary).toMatchObject(summaryAfterReceipts);
    expect(after.headers.etag).not.toBe(before.headers.etag);
  });

  it('lists transfers with their summaries, a page at a time, filtered by state', async () => {
    const { body, headers } = await http().get('/tracking/progress/transfers?limit=1&offset=0').expect(200);
    expect(body.total).toBe(1);
    expect(body.items).toHaveLength(1);
    expect(body.items[0].transfer.UBID).toBe(UBID);
    expect(body.items[0].summary.total).toBe(documents.length);
    await http().get('/tracking/progress/transfers?limit=1&offset=0').set('If-None-Match', headers.etag).expect(304);
    await http().get('/tracking/progress/transfers?state=DONE').expect(200, { total: 0, items: [] });
  });

  it('answers an unknown transfer 404 and a bad query 422, in the API’s words', async () => {
    await http()
      .get(`/tracking/progress/transfers/${unknownUbid}`)
      .expect(404, { statusCode: 404, detail: `UBID '${unknownUbid}' is not found in table tracking.sms_transfers` });
    await http()
      .get('/tracking/progress/transfers/not-a-uuid')
      .expect(422, { statusCode: 422, detail: [{ loc: ['path', 'ubid'], msg: 'ubid must be a UUID', type: 'isUuid' }] });
    await http()
      .get('/tracking/progress/transfers?limit=101')
      .expect(422, { statusCode: 422, detail: [{ loc: ['query', 'limit'], msg: 'limit must not be greater than 100', type: 'max' }] });
  });
});
