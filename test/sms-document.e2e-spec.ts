import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { IntegrityError } from '../src/core/database/integrity-error';
import { createTestApp } from '../tools/app-in-process';
import { loadTestData } from './helpers/load-test-data';
import { mockedRepositories, mockSmsDocumentRepository, mockSmsTransferRepository, uploadedBatch } from './helpers/mocks';
import { nested, nestedJson } from './helpers/nested-json';

interface Document {
  SMScount: unknown;
  uniqueId?: unknown;
  data?: unknown;
}

interface PageItem {
  uniqueId: string;
  when: string;
}

interface TestData {
  UBID: string;
  documents: Document[];
  invalidDocuments: { name: string; document: unknown; detail: unknown[] }[];
  summary: { total: number; INIT: number; SENT: number; DONE: number; lastChange: string };
  page: { items: PageItem[]; next: string };
  invalidReceipts: { name: string; body: object; detail: unknown[] }[];
  invalidListings: { query: string; detail: unknown[] }[];
}

const { UBID, documents, invalidDocuments, summary, page, invalidReceipts, invalidListings } = loadTestData<TestData>(__filename);
const TABLE = 'tracking.sms_documents';
const UNKNOWN = '6f1c9a52-2d7e-4c1b-8d3a-000000000000';
const TRANSFER_NOT_FOUND = { statusCode: 404, detail: `UBID '${UNKNOWN}' is not found in table tracking.sms_transfers` };
/** JSON times as the repository hands them over. */
const withDates = <T extends { when: string }>(item: T) => ({ ...item, when: new Date(item.when) });

function manyDocuments(count: number): Document[] {
  return Array.from({ length: count }, (_, index) => ({ SMScount: 1, uniqueId: String(index), data: { index } }));
}

describe('/tracking/sms_documents (e2e, mocked repository)', () => {
  let app: INestApplication;
  const repository = mockSmsDocumentRepository();
  const transfers = mockSmsTransferRepository();

  beforeAll(async () => {
    app = await createTestApp(mockedRepositories(transfers, repository));
  });
  afterAll(() => app.close());
  beforeEach(() => {
    jest.resetAllMocks();
    transfers.findByUbid.mockImplementation(async (ubid: string) => (ubid === UNKNOWN ? null : { UBID: ubid }));
  });

  const http = () => request(app.getHttpServer());

  describe('POST /', () => {
    // upsertMany answers nothing here (reset mocks answer undefined): the count in the answer is
    // the number of documents taken, after duplicates are merged, not anything the repository says.
    it.each(['/tracking/sms_documents', '/tracking/sms_documents/'])('upserts the documents and answers 201 at %s', async (path) => {
      await http()
        .post(path)
        .send({ UBID, documents })
        .expect(201, { result: `Inserted 3 document(s) for UBID '${UBID}' in table ${TABLE}`, count: 3 });

      // The data objects reach the repository exactly as sent, nested keys included.
      expect(uploadedBatch(repository.upsertMany)).toEqual({ UBID, count: 3, documents });
    });

    it('takes 5000 documents in one call to the repository', async () => {
      await http()
        .post('/tracking/sms_documents')
        .send({ UBID, documents: manyDocuments(5000) })
        .expect(201, { result: `Inserted 5000 document(s) for UBID '${UBID}' in table ${TABLE}`, count: 5000 });

      expect(repository.upsertMany).toHaveBeenCalledTimes(1);
      expect(uploadedBatch(repository.upsertMany)).toEqual({ UBID, count: 5000, documents: manyDocuments(5000) });
    });

    it('stores a uniqueId sent twice once, with the values of its last occurrence', async () => {
      const repeated = [documents[0], documents[1], { ...documents[0], SMScount: 9, data: { last: true } }];

      await http()
        .post('/tracking/sms_documents')
        .send({ UBID, documents: repeated })
        .expect(201, { result: `Inserted 2 document(s) for UBID '${UBID}' in table ${TABLE}`, count: 2 });

      expect(uploadedBatch(repository.upsertMany)).toEqual({ UBID, count: 2, documents: [repeated[2], documents[1]] });
    });

    it('drops unknown fields of the body and of each document, keeping data untouched', async () => {
      const document = { SMScount: 1, uniqueId: 'a', data: { state: 'DONE', extra: 1 } };

      await http()
        .post('/tracking/sms_documents')
        .send({ UBID, surplus: true, documents: [{ ...document, state: 'DONE' }] })
        .expect(201);

      expect(uploadedBatch(repository.upsertMany)).toEqual({ UBID, count: 1, documents: [document] });
    });

    it('answers 422 with the original detail when the UBID is not a stored transfer', async () => {
      repository.upsertMany.mockRejectedValue(new IntegrityError('SQLITE_CONSTRAINT: FOREIGN KEY constraint failed'));

      await http()
        .post('/tracking/sms_documents')
        .send({ UBID, documents })
        .expect(422, {
          statusCode: 422,
          detail: `Failed Upsert of UBID '${UBID}' document(s) in table ${TABLE} => SQLITE_CONSTRAINT: FOREIGN KEY constraint failed`,
        });
    });

    it.each(invalidDocuments)('answers 422 when one document has $name, and stores nothing', async ({ document, detail }) => {
      const response = await http()
        .post('/tracking/sms_documents')
        .send({ UBID, documents: [documents[0], document, documents[2]] })
        .expect(422);

      expect(response.body).toEqual({ statusCode: 422, detail });
      expect(repository.upsertMany).not.toHaveBeenCalled();
    });

    it.each([
      ['no documents', [], 'documents must contain at least 1 elements', 'arrayMinSize'],
      ['5001 documents', manyDocuments(5001), 'documents must contain no more than 5000 elements', 'arrayMaxSize'],
      ['documents as an object', { 0: documents[0] }, 'documents must be an array', 'isArray'],
    ])('answers 422 for %s', async (_name, list, msg, type) => {
      await http()
        .post('/tracking/sms_documents')
        .send({ UBID, documents: list })
        .expect(422, { statusCode: 422, detail: [{ loc: ['body', 'documents'], msg, type }] });

      expect(repository.upsertMany).not.toHaveBeenCalled();
    });

    it.each([
      [65, ['body', 'documents', 0, 'data'], 'data must not be nested more than 64 levels deep'],
      [10_000, ['body'], 'body must not be nested more than 128 levels deep'],
      [100_000, ['body'], 'body must not be nested more than 128 levels deep'],
    ])('answers 422 for data nested %d levels deep', async (levels, loc, msg) => {
      const response = await http()
        .post('/tracking/sms_documents')
        .set('Content-Type', 'application/json')
        .send(`{"UBID": "${UBID}", "documents": [{"SMScount": 1, "uniqueId": "deep", "data": ${nestedJson(levels)}}]}`)
        .expect(422);

      expect(response.body.detail).toEqual([{ loc, msg, type: 'maxJsonDepth' }]);
      expect(repository.upsertMany).not.toHaveBeenCalled();
    });

    it('takes data nested 64 levels deep', async () => {
      await http()
        .post('/tracking/sms_documents')
        .send({ UBID, documents: [{ SMScount: 1, uniqueId: 'deep', data: nested(64) }] })
        .expect(201);
    });

    it('answers 422 for a UBID that is not a UUID', async () => {
      await http()
        .post('/tracking/sms_documents')
        .send({ UBID: 'batch-1', documents })
        .expect(422, { statusCode: 422, detail: [{ loc: ['body', 'UBID'], msg: 'UBID must be a UUID', type: 'isUuid' }] });
    });
  });

  describe('GET /{ubid}/', () => {
    it.each([`/tracking/sms_documents/${UBID}`, `/tracking/sms_documents/${UBID}/`])('answers 200 with the count at %s', async (path) => {
      repository.countByUbid.mockResolvedValue(412343);

      await http()
        .get(path)
        .expect(200, { result: `Found 412343 document(s) for UBID '${UBID}' in table ${TABLE}`, count: 412343 });

      expect(repository.countByUbid).toHaveBeenCalledWith(UBID);
    });

    it('answers 404 with the original detail when the batch has no documents', async () => {
      repository.countByUbid.mockResolvedValue(0);

      await http()
        .get(`/tracking/sms_documents/${UBID}/`)
        .expect(404, { statusCode: 404, detail: `UBID '${UBID}' not found in table ${TABLE}` });
    });

    it('answers 422 for an id that is not a UUID', async () => {
      await http()
        .get('/tracking/sms_documents/0b6e4a8c;DROP TABLE sms_documents')
        .expect(422, { statusCode: 422, detail: [{ loc: ['path', 'ubid'], msg: 'ubid must be a UUID', type: 'isUuid' }] });

      expect(repository.countByUbid).not.toHaveBeenCalled();
    });
  });

  describe('PUT /{ubid}/{state}/', () => {
    it.each(['INIT', 'SENT', 'DONE'])('answers 200 with the rows moved to %s', async (state) => {
      repository.updateStateByUbid.mockResolvedValue(3);

      await http()
        .put(`/tracking/sms_documents/${UBID}/${state}/`)
        .expect(200, { result: `Updated state to '${state}' in 3 row(s) for UBID '${UBID}' in table ${TABLE}`, count: 3 });

      expect(repository.updateStateByUbid).toHaveBeenCalledWith(UBID, state);
    });

    it('answers 404 with the original detail when the batch has no documents', async () => {
      repository.updateStateByUbid.mockResolvedValue(0);
      repository.hasDocuments.mockResolvedValue(false);

      await http()
        .put(`/tracking/sms_documents/${UBID}/DONE`)
        .expect(404, { statusCode: 404, detail: `UBID '${UBID}' not found in table ${TABLE}` });
    });

    it('answers 200 with 0 rows when every document is in the state or further along', async () => {
      repository.updateStateByUbid.mockResolvedValue(0);
      repository.hasDocuments.mockResolvedValue(true);

      await http()
        .put(`/tracking/sms_documents/${UBID}/SENT`)
        .expect(200, { result: `Updated state to 'SENT' in 0 row(s) for UBID '${UBID}' in table ${TABLE}`, count: 0 });
    });

    it('answers 422 for an unknown state', async () => {
      await http()
        .put(`/tracking/sms_documents/${UBID}/FAILED/`)
        .expect(422, {
          statusCode: 422,
          detail: [{ loc: ['path', 'state'], msg: 'state must be one of the following values: INIT, SENT, DONE', type: 'isEnum' }],
        });

      expect(repository.updateStateByUbid).not.toHaveBeenCalled();
    });
  });
  describe('GET /{ubid}/summary', () => {
    it('answers the counts per state, their total and the last change', async () => {
      const { total, lastChange, ...counts } = summary;
      repository.countStates.mockResolvedValue({ counts, lastChange: new Date(lastChange) });

      await http()
        .get(`/tracking/sms_documents/${UBID}/summary/`)
        .expect(200, { UBID, ...summary });

      expect(total).toBe(counts.INIT + counts.SENT + counts.DONE);
      expect(repository.countStates).toHaveBeenCalledWith(UBID);
    });

    it('answers zeros and a null time for a transfer without documents', async () => {
      repository.countStates.mockResolvedValue({ counts: { INIT: 0, SENT: 0, DONE: 0 }, lastChange: null });

      await http()
        .get(`/tracking/sms_documents/${UBID}/summary`)
        .expect(200, { UBID, total: 0, INIT: 0, SENT: 0, DONE: 0, lastChange: null });
    });

    it('answers 404 for an unknown transfer', async () => {
      await http().get(`/tracking/sms_documents/${UNKNOWN}/summary`).expect(404, TRANSFER_NOT_FOUND);
    });
  });

  describe('POST /{ubid}/receipts', () => {
    it('answers 200 with what changed, what was in the state already and what is unknown', async () => {
      repository.lockStates.mockResolvedValue(
        new Map([
          ['0000000001', 'INIT'],
          ['0000000002', 'DONE'],
        ]),
      );
      await http()
        .post(`/tracking/sms_documents/${UBID}/receipts`)
        .send({ state: 'DONE', uniqueIds: ['0000000001', '0000000002', 'x/?'] })
        .expect(200, { UBID, state: 'DONE', changed: 1, unchanged: 1, unknown: ['x/?'] });

      expect(repository.updateStates).toHaveBeenCalledWith(UBID, ['0000000001'], 'DONE');
    });

    it('takes 5000 uniqueIds in one call to the repository', async () => {
      const uniqueIds = manyDocuments(5000).map((document) => document.uniqueId);
      repository.lockStates.mockResolvedValue(new Map(uniqueIds.map((uniqueId) => [uniqueId, 'INIT'])));
      repository.updateStates.mockResolvedValue(5000);

      await http().post(`/tracking/sms_documents/${UBID}/receipts`).send({ state: 'SENT', uniqueIds }).expect(200);

      expect(repository.updateStates).toHaveBeenCalledTimes(1);
    });

    it('answers 409 naming the document and both states when one would move back, and changes nothing', async () => {
      repository.lockStates.mockResolvedValue(
        new Map([
          ['0000000001', 'INIT'],
          ['0000000002', 'DONE'],
        ]),
      );

      await http()
        .post(`/tracking/sms_documents/${UBID}/receipts`)
        .send({ state: 'SENT', uniqueIds: ['0000000001', '0000000002'] })
        .expect(409, {
          statusCode: 409,
          detail: `Cannot move document '0000000002' of UBID '${UBID}' from 'DONE' back to 'SENT' in table ${TABLE}`,
        });

      expect(repository.updateStates).not.toHaveBeenCalled();
    });

    it('answers 404 for an unknown transfer', async () => {
      await http()
        .post(`/tracking/sms_documents/${UNKNOWN}/receipts`)
        .send({ state: 'SENT', uniqueIds: ['1'] })
        .expect(404, TRANSFER_NOT_FOUND);
    });

    it.each([
      ...invalidReceipts,
      {
        name: '5001 uniqueIds',
        body: { state: 'SENT', uniqueIds: manyDocuments(5001).map((document) => document.uniqueId) },
        detail: [{ loc: ['body', 'uniqueIds'], msg: 'uniqueIds must contain no more than 5000 elements', type: 'arrayMaxSize' }],
      },
    ])('answers 422 for $name, and changes nothing', async ({ body, detail }) => {
      await http().post(`/tracking/sms_documents/${UBID}/receipts`).send(body).expect(422, { statusCode: 422, detail });

      expect(repository.lockStates).not.toHaveBeenCalled();
      expect(repository.updateStates).not.toHaveBeenCalled();
    });
  });

  describe('GET /{ubid}/documents', () => {
    it('answers one page and passes the filter, the limit and the cursor on', async () => {
      repository.findPage.mockResolvedValue({ ...page, items: page.items.map(withDates) });

      await http()
        .get(`/tracking/sms_documents/${UBID}/documents`)
        .query({ state: 'SENT', limit: 2, after: '0000000005' })
        .expect(200, page);

      expect(repository.findPage).toHaveBeenCalledWith(UBID, { state: 'SENT', limit: 2, after: '0000000005' });
    });

    it('takes 1000 documents of any state from the start by default', async () => {
      repository.findPage.mockResolvedValue({ items: [], next: null });

      await http().get(`/tracking/sms_documents/${UBID}/documents/`).expect(200, { items: [], next: null });

      expect(repository.findPage).toHaveBeenCalledWith(UBID, { limit: 1000 });
    });

    it('answers 404 for an unknown transfer', async () => {
      await http().get(`/tracking/sms_documents/${UNKNOWN}/documents`).expect(404, TRANSFER_NOT_FOUND);
    });

    it.each(invalidListings)('answers 422 for ?$query', async ({ query, detail }) => {
      await http().get(`/tracking/sms_documents/${UBID}/documents?${query}`).expect(422, { statusCode: 422, detail });

      expect(repository.findPage).not.toHaveBeenCalled();
    });
  });

  describe('GET /{ubid}/documents/{uniqueId}', () => {
    const stored = { UBID, ...documents[1], state: 'SENT', when: '2024-04-17T09:12:05.000Z' };

    it.each([
      ['a plain uniqueId', '0000000002', '0000000002'],
      ['a uniqueId with a slash, a question mark and a space, percent-encoded', encodeURIComponent('a/b? c'), 'a/b? c'],
      ['a uniqueId that is a word of the routes', 'summary', 'summary'],
    ])('answers the document with its data for %s', async (_name, segment, uniqueId) => {
      repository.findOne.mockResolvedValue(withDates(stored));

      await http().get(`/tracking/sms_documents/${UBID}/documents/${segment}`).expect(200, stored);

      expect(repository.findOne).toHaveBeenCalledWith(UBID, uniqueId);
    });

    it('answers 404 naming the document', async () => {
      repository.findOne.mockResolvedValue(null);

      await http()
        .get(`/tracking/sms_documents/${UBID}/documents/a%2Fb`)
        .expect(404, { statusCode: 404, detail: `Document 'a/b' of UBID '${UBID}' not found in table ${TABLE}` });
    });

    it('answers 422 for a uniqueId longer than 10 characters', async () => {
      await http()
        .get(`/tracking/sms_documents/${UBID}/documents/12345678901`)
        .expect(422, {
          statusCode: 422,
          detail: [{ loc: ['path', 'uniqueId'], msg: 'uniqueId must be shorter than or equal to 10 characters', type: 'maxLength' }],
        });
    });
  });

  describe('GET /{ubid}/export', () => {
    const exported = (uniqueId: string, data: object) => ({
      UBID,
      uniqueId,
      state: 'SENT',
      SMScount: 2,
      when: '2024-04-17T09:12:05.000Z',
      data,
    });
    const first = exported('0000000001', { text: 'Hello, "you"\nbye' });
    const second = exported('0000000002', {});

    beforeEach(() => {
      repository.findPageWithData
        .mockResolvedValueOnce({ items: [withDates(first)], next: '0000000001' })
        .mockResolvedValueOnce({ items: [withDates(second)], next: null });
    });

    it('streams NDJSON by default: every document with its data, page after page', async () => {
      const response = await http().get(`/tracking/sms_documents/${UBID}/export`).buffer(true).parse(textBody).expect(200);

      expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      expect(response.headers['content-disposition']).toBe(`attachment; filename="${UBID}.ndjson"`);
      expect(response.body).toBe(`${JSON.stringify(first)}\n${JSON.stringify(second)}\n`);
      expect(repository.findPageWithData.mock.calls).toEqual([
        [UBID, { limit: 1000, after: undefined, state: undefined, maxBytes: 1024 * 1024 }],
        [UBID, { limit: 2, after: '0000000001', state: undefined, maxBytes: 1024 * 1024 }],
      ]);
    });

    it('streams CSV with a header row and RFC 4180 quoting, and passes the state on', async () => {
      const response = await http()
        .get(`/tracking/sms_documents/${UBID}/export/`)
        .query({ format: 'csv', state: 'SENT' })
        .buffer(true)
        .parse(textBody)
        .expect(200);

      expect(response.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
      expect(response.body).toBe(
        'UBID,uniqueId,state,SMScount,when,data\r\n' +
          `${UBID},0000000001,SENT,2,2024-04-17T09:12:05.000Z,"{""text"":""Hello, \\""you\\""\\nbye""}"\r\n` +
          `${UBID},0000000002,SENT,2,2024-04-17T09:12:05.000Z,{}\r\n`,
      );
      expect(repository.findPageWithData).toHaveBeenCalledWith(UBID, {
        limit: 1000,
        after: undefined,
        state: 'SENT',
        maxBytes: 1024 * 1024,
      });
    });

    it("writes a CSV cell that a spreadsheet would run as a formula with a leading ', and NDJSON as stored", async () => {
      const formula = exported('=1+2', { text: '-1' });
      const exportAs = async (format: string) => {
        repository.findPageWithData.mockReset().mockResolvedValueOnce({ items: [withDates(formula)], next: null });
        return (await http().get(`/tracking/sms_documents/${UBID}/export?format=${format}`).buffer(true).parse(textBody).expect(200)).body;
      };

      expect(await exportAs('csv')).toBe(
        `UBID,uniqueId,state,SMScount,when,data\r\n${UBID},'=1+2,SENT,2,2024-04-17T09:12:05.000Z,"{""text"":""-1""}"\r\n`,
      );
      expect(await exportAs('ndjson')).toBe(`${JSON.stringify(formula)}\n`);
    });

    it('answers 404 for an unknown transfer, before anything is sent', async () => {
      await http().get(`/tracking/sms_documents/${UNKNOWN}/export`).expect(404, TRANSFER_NOT_FOUND);

      expect(repository.findPageWithData).not.toHaveBeenCalled();
    });

    it.each([
      ['format=xml', [{ loc: ['query', 'format'], msg: 'format must be one of the following values: ndjson, csv', type: 'isIn' }]],
      ['state=GONE', [{ loc: ['query', 'state'], msg: 'state must be one of the following values: INIT, SENT, DONE', type: 'isEnum' }]],
    ])('answers 422 for ?%s', async (query, detail) => {
      await http().get(`/tracking/sms_documents/${UBID}/export?${query}`).expect(422, { statusCode: 422, detail });

      expect(repository.findPageWithData).not.toHaveBeenCalled();
    });
  });
});

/** Keeps a streamed body as text, whatever its content type. */
function textBody(response: request.Response, done: (error: Error | null, body: string) => void): void {
  const stream = response as unknown as NodeJS.ReadableStream;
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (text += chunk));
  stream.on('end', () => done(null, text));
}
