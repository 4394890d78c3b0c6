import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { IntegrityError } from '../src/core/database/integrity-error';
import { UnitOfWork } from '../src/core/database/unit-of-work';
import { SmsDocumentRepository } from '../src/sms-document/sms-document.repository';
import { loadTestData } from './helpers/load-test-data';
import { mockSmsDocumentRepository, passThroughUnitOfWork } from './helpers/mocks';
import { nested, nestedJson } from './helpers/nested-json';
import { createTestApp } from './helpers/test-app';

interface Document {
  SMScount: unknown;
  uniqueId?: unknown;
  data?: unknown;
}

interface TestData {
  UBID: string;
  documents: Document[];
  invalidDocuments: { name: string; document: unknown; detail: unknown[] }[];
}

const { UBID, documents, invalidDocuments } = loadTestData<TestData>(__filename);
const TABLE = 'tracking.sms_documents';

function manyDocuments(count: number): Document[] {
  return Array.from({ length: count }, (_, index) => ({ SMScount: 1, uniqueId: String(index), data: { index } }));
}

describe('/tracking/sms_documents (e2e, mocked repository)', () => {
  let app: INestApplication;
  const repository = mockSmsDocumentRepository();

  beforeAll(async () => {
    app = await createTestApp([
      { provide: SmsDocumentRepository, useValue: repository },
      { provide: UnitOfWork, useValue: passThroughUnitOfWork() },
    ]);
  });
  afterAll(() => app.close());
  beforeEach(() => jest.resetAllMocks());

  const http = () => request(app.getHttpServer());

  describe('POST /', () => {
    it.each(['/tracking/sms_documents', '/tracking/sms_documents/'])('upserts the documents and answers 201 at %s', async (path) => {
      repository.upsertMany.mockResolvedValue(3);

      await http()
        .post(path)
        .send({ UBID, documents })
        .expect(201, { result: `Inserted 3 document(s) for UBID '${UBID}' in table ${TABLE}`, count: 3 });

      // The data objects reach the repository exactly as sent, nested keys included.
      expect(repository.upsertMany).toHaveBeenCalledWith(UBID, documents);
    });

    it('takes 5000 documents in one call to the repository', async () => {
      repository.upsertMany.mockResolvedValue(5000);

      await http().post('/tracking/sms_documents').send({ UBID, documents: manyDocuments(5000) }).expect(201);

      expect(repository.upsertMany).toHaveBeenCalledTimes(1);
      expect(repository.upsertMany.mock.calls[0][1]).toHaveLength(5000);
    });

    it('stores a uniqueId sent twice once, with the values of its last occurrence', async () => {
      repository.upsertMany.mockResolvedValue(2);
      const repeated = [documents[0], documents[1], { ...documents[0], SMScount: 9, data: { last: true } }];

      await http()
        .post('/tracking/sms_documents')
        .send({ UBID, documents: repeated })
        .expect(201, { result: `Inserted 2 document(s) for UBID '${UBID}' in table ${TABLE}`, count: 2 });

      expect(repository.upsertMany).toHaveBeenCalledWith(UBID, [repeated[2], documents[1]]);
    });

    it('drops unknown fields of the body and of each document, keeping data untouched', async () => {
      repository.upsertMany.mockResolvedValue(1);
      const document = { SMScount: 1, uniqueId: 'a', data: { state: 'DONE', extra: 1 } };

      await http()
        .post('/tracking/sms_documents')
        .send({ UBID, surplus: true, documents: [{ ...document, state: 'DONE' }] })
        .expect(201);

      expect(repository.upsertMany).toHaveBeenCalledWith(UBID, [document]);
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
      repository.upsertMany.mockResolvedValue(1);

      await http().post('/tracking/sms_documents').send({ UBID, documents: [{ SMScount: 1, uniqueId: 'deep', data: nested(64) }] }).expect(201);
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

      await http().get(path).expect(200, { result: `Found 412343 document(s) for UBID '${UBID}' in table ${TABLE}`, count: 412343 });

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

      await http()
        .put(`/tracking/sms_documents/${UBID}/DONE`)
        .expect(404, { statusCode: 404, detail: `UBID '${UBID}' not found in table ${TABLE}` });
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
});
