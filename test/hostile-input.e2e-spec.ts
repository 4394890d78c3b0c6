import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';
import { UnitOfWork } from '../src/core/database/unit-of-work';
import { TrackingState } from '../src/core/tracking-state';
import { SmsDocumentRepository } from '../src/sms-document/sms-document.repository';
import { SmsTransferRepository } from '../src/sms-transfer/sms-transfer.repository';
import { mockSmsDocumentRepository, mockSmsTransferRepository, passThroughUnitOfWork } from './helpers/mocks';
import { createTestApp } from './helpers/test-app';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const RUNS = 150;

/** Anything JSON can carry, with the names and values that break naive code mixed in. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, true, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, '', '__proto__', "'; DROP TABLE sms_documents; --", '\u0000', '\ud800'),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'prototype', 'UBID', 'documents', 'SMScount', 'uniqueId', 'data', 'x'), tie('value'), {
      maxKeys: 5,
    }),
  ),
})).value;

const document = fc.record(
  { SMScount: fc.oneof(fc.integer({ min: 1, max: 3 }), hostileJson), uniqueId: fc.oneof(fc.string({ maxLength: 10 }), hostileJson), data: hostileJson },
  { requiredKeys: [] },
);
const documentsBody = fc.record({ UBID: fc.oneof(fc.constant(UBID), hostileJson), documents: fc.oneof(fc.array(document, { maxLength: 4 }), hostileJson) }, { requiredKeys: [] });
const transferBody = fc.record(
  { UBID: fc.oneof(fc.constant(UBID), hostileJson), SMScount: hostileJson, documents: hostileJson, fileName: hostileJson, origName: hostileJson },
  { requiredKeys: [] },
);
/** Path segments as a client could send them: any text, percent-encoded, or raw and malformed. */
const segment = fc.oneof(fc.constant(UBID), fc.constantFrom(...Object.values(TrackingState)), fc.string().map(encodeURIComponent), fc.constantFrom('%FF', '%', '..', "1'OR'1'='1"));

/**
 * Random and hostile input thrown at the real app (repositories mocked): it never answers 5xx, and
 * a refused request never reaches a repository write.
 */
describe('hostile input (e2e, property-based)', () => {
  let app: INestApplication;
  const transfers = mockSmsTransferRepository();
  const documents = mockSmsDocumentRepository();

  beforeAll(async () => {
    app = await createTestApp([
      { provide: SmsTransferRepository, useValue: transfers },
      { provide: SmsDocumentRepository, useValue: documents },
      { provide: UnitOfWork, useValue: passThroughUnitOfWork() },
    ]);
  });
  afterAll(() => app.close());

  beforeEach(() => {
    jest.resetAllMocks();
    const stored = { UBID, fileName: 'f', origName: 'o', fallbackCount: 0, when: new Date(0), state: TrackingState.INIT, documents: 1, SMScount: 1 };
    transfers.upsert.mockResolvedValue(stored);
    transfers.findByUbid.mockResolvedValue(stored);
    transfers.updateState.mockResolvedValue(stored);
    transfers.delete.mockResolvedValue(true);
    transfers.findPage.mockResolvedValue({ items: [], total: 0 });
    documents.upsertMany.mockResolvedValue(1);
    documents.countByUbid.mockResolvedValue(1);
    documents.updateStateByUbid.mockResolvedValue(1);
  });

  const http = () => request(app.getHttpServer());

  it.each([
    ['/tracking/sms_documents', documentsBody, documents.upsertMany],
    ['/tracking/sms_transfers', transferBody, transfers.upsert],
  ] as const)('POST %s never answers 5xx, and writes nothing when it refuses', async (path, body, write) => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        write.mockClear();
        const response = await http().post(path).set('Content-Type', 'application/json').send(JSON.stringify(value));
        expect(response.status).toBeLessThan(500);
        if (response.status >= 400) {
          expect(response.body.detail).toBeDefined();
          expect(write).not.toHaveBeenCalled();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('the routes with path parameters never answer 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('get', 'put', 'delete'),
        fc.constantFrom('sms_transfers', 'sms_documents'),
        fc.array(segment, { minLength: 1, maxLength: 3 }),
        async (method, resource, segments) => {
          const response = await http()[method](`/tracking/${resource}/${segments.join('/')}`);
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the listing never answers 5xx, whatever the query', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('limit', 'offset', 'state', 'x'), fc.oneof(fc.string(), fc.integer().map(String))), async (query) => {
        const response = await http().get('/tracking/sms_transfers').query(query);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });
});
