import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';

import { generateDocuments, inSubBatches } from '../src/loader/document-generator';
import { NewSmsDocument } from '../src/sms-document/domain/sms-document';
import { createTestApp } from '../tools/app-in-process';
import { createDatabase, describeOnPostgres } from './helpers/test-database';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const DOCUMENTS = 20_000;
const SUB_BATCH = 1000;

/**
 * Several instances behind a load balancer share one PostgreSQL. Two Nest apps upload the
 * sub-batches of one transfer at the same time, each sub-batch to both, so that their upserts
 * touch the same rows concurrently: every request succeeds (no deadlock, no lost row) and every
 * document is stored once.
 */
describeOnPostgres('two service instances on one PostgreSQL (e2e)', () => {
  let instances: INestApplication[];
  let removeDatabase: () => Promise<void>;

  beforeAll(async () => {
    const database = await createDatabase('postgres');
    removeDatabase = database.remove;
    instances = await Promise.all([createTestApp([], database.url), createTestApp([], database.url)]);
  });
  afterAll(async () => {
    await Promise.all(instances.map((app) => app.close()));
    await removeDatabase();
  });

  it('stores every document once when both upload the same transfer concurrently', async () => {
    const [first, second] = instances.map((app) => () => request(app.getHttpServer()));
    await first()
      .post('/tracking/sms_transfers')
      .send({ UBID, SMScount: 1, documents: DOCUMENTS, fileName: 'f', origName: 'o' })
      .expect(201);
    const subBatches: NewSmsDocument[][] = [];
    for await (const batch of inSubBatches(generateDocuments(DOCUMENTS), SUB_BATCH)) subBatches.push(batch);

    const responses = await Promise.all(
      subBatches.flatMap((documents) => [
        first().post('/tracking/sms_documents').send({ UBID, documents }),
        second()
          .post('/tracking/sms_documents')
          .send({ UBID, documents: [...documents].reverse() }),
      ]),
    );

    expect(responses.filter((response) => response.status !== 201).map((response) => response.body)).toEqual([]);
    const dataSource = instances[1].get(DataSource);
    expect(
      await dataSource.query(
        'SELECT CAST(COUNT(*) AS INTEGER) AS n, CAST(COUNT(DISTINCT "uniqueId") AS INTEGER) AS ids FROM "sms_documents"',
      ),
    ).toEqual([{ n: DOCUMENTS, ids: DOCUMENTS }]);
    await second()
      .get(`/tracking/sms_documents/${UBID}`)
      .expect(200, {
        result: `Found ${DOCUMENTS} document(s) for UBID '${UBID}' in table tracking.sms_documents`,
        count: DOCUMENTS,
      });
  });
});
