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
const receiptsBody = fc.record(
  { state: fc.oneof(fc.constantFrom(...Object.values(TrackingState)), hostileJson), uniqueIds: fc.oneof(fc.array(fc.string({ maxLength: 11 }), { maxLength: 4 }), hostileJson) },
  { requiredKeys: [] },
);
const fallbackBody = fc.record({ fallbackCount: fc.oneof(fc.integer(), hostileJson) }, { requiredKeys: [] });
/** Path segments as a client could send them: any text, percent-encoded, or raw and malformed. */
const segment = fc.oneof(
  fc.constant(UBID),
  fc.constantFrom(...Object.values(TrackingState), 'summary', 'receipts', 'documents', 'fallback'),
  fc.string().map(encodeURIComponent),
  fc.constantFrom('%FF', '%', '..', "1'OR'1'='1"),
);

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
    transfers.setFallbackCount.mockResolvedValue(stored);
    transfers.setFallbackCountFromDocuments.mockResolvedValue(stored);
    documents.upsertMany.mockResolvedValue(1);
    documents.countByUbid.mockResolvedValue(1);
    documents.updateStateByUbid.mockResolvedValue(1);
    documents.countStates.mockResolvedValue({ counts: { INIT: 1, SENT: 0, DONE: 0 }, lastChange: new Date(0) });
    documents.findPage.mockResolvedValue({ items: [], next: null });
    documents.findOne.mockResolvedValue(null);
    documents.findStates.mockResolvedValue(new Map());
    documents.updateStates.mockResolvedValue(0);
  });

  const http = () => request(app.getHttpServer());

  it.each([
    ['/tracking/sms_documents', documentsBody, documents.upsertMany],
    ['/tracking/sms_transfers', transferBody, transfers.upsert],
    [`/tracking/sms_documents/${UBID}/receipts`, receiptsBody, documents.updateStates],
    [`/tracking/sms_transfers/${UBID}/fallback`, fallbackBody, transfers.setFallbackCount],
  ] as const)('%s never answers 5xx, and writes nothing when it refuses', async (path, body, write) => {
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        write.mockClear();
        // The fallback count is the one body sent with PUT (its POST takes none).
        const method = path.endsWith('/fallback') ? 'put' : 'post';
        const response = await http()[method](path).set('Content-Type', 'application/json').send(JSON.stringify(value));
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
        fc.constantFrom('get', 'post', 'put', 'delete'),
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

  it.each(['/tracking/sms_transfers', `/tracking/sms_documents/${UBID}/documents`])('the listing %s never answers 5xx, whatever the query', async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.constantFrom('limit', 'offset', 'state', 'after', 'x'), fc.oneof(fc.string(), fc.integer().map(String))), async (query) => {
        const response = await http().get(path).query(query);
        expect(response.status).toBeLessThan(500);
      }),
      { numRuns: RUNS },
    );
  });
});
