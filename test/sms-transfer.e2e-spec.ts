import { INestApplication } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import request from 'supertest';

import { DatabaseUnavailableError } from '../src/core/database/database-unavailable';
import { IntegrityError } from '../src/core/database/integrity-error';
import { UnitOfWork } from '../src/core/database/unit-of-work';
import { SmsTransferRepository } from '../src/sms-transfer/sms-transfer.repository';
import { createTestApp } from '../tools/app-in-process';
import { loadTestData } from './helpers/load-test-data';
import { mockSmsTransferRepository, passThroughUnitOfWork } from './helpers/mocks';

interface TestData {
  newTransfer: Record<string, unknown>;
  storedTransfer: Record<string, unknown> & { UBID: string; when: string };
  invalidBodies: { name: string; change: Record<string, unknown>; detail: unknown[] }[];
}

const { newTransfer, storedTransfer, invalidBodies } = loadTestData<TestData>(__filename);
const UBID = storedTransfer.UBID;
const UNKNOWN = '6f1c9a52-2d7e-4c1b-8d3a-000000000000';
const stored = () => ({ ...storedTransfer, when: new Date(storedTransfer.when) });

describe('/tracking/sms_transfers (e2e, mocked repository)', () => {
  let app: INestApplication;
  const transfers = mockSmsTransferRepository();

  beforeAll(async () => {
    app = await createTestApp([
      { provide: SmsTransferRepository, useValue: transfers },
      { provide: UnitOfWork, useValue: passThroughUnitOfWork() },
    ]);
  });
  afterAll(() => app.close());
  beforeEach(() => jest.resetAllMocks());

  const http = () => request(app.getHttpServer());

  describe('POST /', () => {
    it.each(['/tracking/sms_transfers', '/tracking/sms_transfers/'])(
      'stores the transfer and answers 201 with the row at %s',
      async (path) => {
        transfers.upsert.mockResolvedValue(stored());

        const response = await http().post(path).send(newTransfer).expect(201);

        expect(response.body).toEqual(storedTransfer);
        expect(transfers.upsert).toHaveBeenCalledWith(newTransfer);
      },
    );

    it('drops unknown fields instead of refusing them', async () => {
      transfers.upsert.mockResolvedValue(stored());

      await http()
        .post('/tracking/sms_transfers')
        .send({ ...newTransfer, state: 'DONE', surplus: 1 })
        .expect(201);

      expect(transfers.upsert).toHaveBeenCalledWith(newTransfer);
    });

    it('answers 422 with the reason when the database refuses a value', async () => {
      transfers.upsert.mockRejectedValue(new IntegrityError('value too long for type character varying(55)'));

      await http()
        .post('/tracking/sms_transfers')
        .send(newTransfer)
        .expect(422, {
          statusCode: 422,
          detail: `Failed Upsert of UBID '${UBID}' in table tracking.sms_transfers => value too long for type character varying(55)`,
        });
    });

    it.each(invalidBodies)('answers 422 for $name and stores nothing', async ({ change, detail }) => {
      const response = await http()
        .post('/tracking/sms_transfers')
        .send({ ...newTransfer, ...change })
        .expect(422);

      expect(response.body).toEqual({ statusCode: 422, detail });
      expect(transfers.upsert).not.toHaveBeenCalled();
    });
  });

  describe('GET /', () => {
    it('answers one page with the total in X-Total-Count, passing limit, offset and state', async () => {
      transfers.findPage.mockResolvedValue({ items: [stored()], total: 31 });

      const response = await http().get('/tracking/sms_transfers/?limit=10&offset=20&state=SENT').expect(200);

      expect(response.body).toEqual([storedTransfer]);
      expect(response.headers['x-total-count']).toBe('31');
      expect(transfers.findPage).toHaveBeenCalledWith({ limit: 10, offset: 20, state: 'SENT' });
    });

    it('pages 100 from the start by default', async () => {
      transfers.findPage.mockResolvedValue({ items: [], total: 0 });

      await http().get('/tracking/sms_transfers').expect(200, []);

      expect(transfers.findPage).toHaveBeenCalledWith({ limit: 100, offset: 0 });
    });

    it('answers 422 for a limit above 1000, a negative offset and an unknown state', async () => {
      const response = await http().get('/tracking/sms_transfers?limit=1001&offset=-1&state=LOST').expect(422);

      expect(response.body).toEqual({
        statusCode: 422,
        detail: [
          { loc: ['query', 'limit'], msg: 'limit must not be greater than 1000', type: 'max' },
          { loc: ['query', 'offset'], msg: 'offset must not be less than 0', type: 'min' },
          { loc: ['query', 'state'], msg: 'state must be one of the following values: INIT, SENT, DONE', type: 'isEnum' },
        ],
      });
      expect(transfers.findPage).not.toHaveBeenCalled();
    });

    it('answers 422 for a limit that is not a number', async () => {
      const response = await http().get('/tracking/sms_transfers?limit=ten').expect(422);

      expect(response.body.detail).toEqual([{ loc: ['query', 'limit'], msg: 'limit must be an integer number', type: 'isInt' }]);
    });
  });

  describe('GET /{ubid}/', () => {
    it.each([`/tracking/sms_transfers/${UBID}`, `/tracking/sms_transfers/${UBID}/`])(
      'answers 200 with the transfer at %s',
      async (path) => {
        transfers.findByUbid.mockResolvedValue(stored());

        await http().get(path).expect(200, storedTransfer);

        expect(transfers.findByUbid).toHaveBeenCalledWith(UBID);
      },
    );

    it('answers 404 with the original detail for an unknown UBID', async () => {
      transfers.findByUbid.mockResolvedValue(null);

      await http()
        .get(`/tracking/sms_transfers/${UNKNOWN}/`)
        .expect(404, { statusCode: 404, detail: `UBID '${UNKNOWN}' is not found in table tracking.sms_transfers` });
    });

    it('answers 422 for an id that is not a UUID, without asking the repository', async () => {
      await http()
        .get("/tracking/sms_transfers/1' OR '1'='1")
        .expect(422, { statusCode: 422, detail: [{ loc: ['path', 'ubid'], msg: 'ubid must be a UUID', type: 'isUuid' }] });

      expect(transfers.findByUbid).not.toHaveBeenCalled();
    });
  });

  describe('PUT /{ubid}/{state}/', () => {
    it.each(['SENT', 'DONE', 'INIT'])('answers 200 with the row updated to %s', async (state) => {
      transfers.updateState.mockResolvedValue({ ...stored(), state });

      const response = await http().put(`/tracking/sms_transfers/${UBID}/${state}/`).expect(200);

      expect(response.body).toEqual({ ...storedTransfer, state });
      expect(transfers.updateState).toHaveBeenCalledWith(UBID, state);
    });

    it('answers 404 with the original detail for an unknown UBID', async () => {
      transfers.updateState.mockResolvedValue(null);

      await http()
        .put(`/tracking/sms_transfers/${UNKNOWN}/SENT`)
        .expect(404, { statusCode: 404, detail: `UBID '${UNKNOWN}' is not found in table tracking.sms_transfers` });
    });

    it('answers 409 naming both states when the transfer is further along, and leaves it', async () => {
      transfers.updateState.mockResolvedValue({ ...stored(), state: 'DONE' });

      await http()
        .put(`/tracking/sms_transfers/${UBID}/SENT`)
        .expect(409, { statusCode: 409, detail: `Cannot move UBID '${UBID}' from 'DONE' back to 'SENT' in table tracking.sms_transfers` });
    });

    it('answers 422 for an unknown state', async () => {
      await http()
        .put(`/tracking/sms_transfers/${UBID}/sent`)
        .expect(422, {
          statusCode: 422,
          detail: [{ loc: ['path', 'state'], msg: 'state must be one of the following values: INIT, SENT, DONE', type: 'isEnum' }],
        });

      expect(transfers.updateState).not.toHaveBeenCalled();
    });
  });

  describe('the fallback count', () => {
    it.each([
      ['POST', () => http().post(`/tracking/sms_transfers/${UBID}/fallback`), () => transfers.setFallbackCountFromDocuments, [UBID]],
      [
        'PUT',
        () => http().put(`/tracking/sms_transfers/${UBID}/fallback/`).send({ fallbackCount: 1250 }),
        () => transfers.setFallbackCount,
        [UBID, 1250],
      ],
    ])('%s /{ubid}/fallback stores it and answers 200 with the transfer', async (_method, send, repositoryMethod, args) => {
      repositoryMethod().mockResolvedValue({ ...stored(), fallbackCount: 1250 });

      const response = await send().expect(200);

      expect(response.body).toEqual({ ...storedTransfer, fallbackCount: 1250 });
      expect(repositoryMethod()).toHaveBeenCalledWith(...args);
      expect(transfers.updateState).not.toHaveBeenCalled();
    });

    it.each([
      ['POST', () => http().post(`/tracking/sms_transfers/${UNKNOWN}/fallback`), () => transfers.setFallbackCountFromDocuments],
      ['PUT', () => http().put(`/tracking/sms_transfers/${UNKNOWN}/fallback`).send({ fallbackCount: 0 }), () => transfers.setFallbackCount],
    ])('%s /{ubid}/fallback answers 404 for an unknown UBID', async (_method, send, repositoryMethod) => {
      repositoryMethod().mockResolvedValue(null);

      await send().expect(404, { statusCode: 404, detail: `UBID '${UNKNOWN}' is not found in table tracking.sms_transfers` });
    });

    it.each([
      ['a negative count', { fallbackCount: -1 }, 'fallbackCount must not be less than 0', 'min'],
      ['a count as a string', { fallbackCount: '3' }, 'fallbackCount must be an integer number', 'isInt'],
      ['no count', {}, 'fallbackCount must be an integer number', 'isInt'],
    ])('PUT /{ubid}/fallback answers 422 for %s, and not as a state', async (_name, body, msg, type) => {
      await http()
        .put(`/tracking/sms_transfers/${UBID}/fallback`)
        .send(body)
        .expect(422, { statusCode: 422, detail: [{ loc: ['body', 'fallbackCount'], msg, type }] });

      expect(transfers.setFallbackCount).not.toHaveBeenCalled();
    });
  });

  describe('DELETE /{ubid}/', () => {
    it('answers 204 with an empty body', async () => {
      transfers.delete.mockResolvedValue(true);

      const response = await http().delete(`/tracking/sms_transfers/${UBID}/`).expect(204);

      expect(response.text).toBe('');
      expect(transfers.delete).toHaveBeenCalledWith(UBID);
    });

    it('answers 404 with the original detail for an unknown UBID', async () => {
      transfers.delete.mockResolvedValue(false);

      await http()
        .delete(`/tracking/sms_transfers/${UNKNOWN}`)
        .expect(404, { statusCode: 404, detail: `UBID '${UNKNOWN}' is not found in table tracking.sms_transfers` });
    });
  });

  describe('DELETE /?before=&state=', () => {
    it.each(['/tracking/sms_transfers', '/tracking/sms_transfers/'])(
      'purges the expired transfers of a state and answers what it removed at %s',
      async (path) => {
        transfers.findExpired.mockResolvedValueOnce([UBID, UNKNOWN]).mockResolvedValue([]);
        transfers.lockIfExpired.mockResolvedValue(true);
        transfers.deleteExpiredDocuments.mockResolvedValueOnce(1500).mockResolvedValue(0);
        transfers.deleteIfExpired.mockResolvedValue(true);

        await http().delete(path).query({ before: '2024-03-01T00:00:00Z', state: 'DONE' }).expect(200, { transfers: 2, documents: 1500 });

        expect(transfers.findExpired).toHaveBeenCalledWith({
          before: new Date('2024-03-01T00:00:00.000Z'),
          state: 'DONE',
          after: undefined,
          limit: 100,
        });
        expect(transfers.deleteIfExpired).toHaveBeenCalledWith(UNKNOWN, new Date('2024-03-01T00:00:00.000Z'));
      },
    );

    it('runs on a schedule too: the retention job is registered', () => {
      expect(app.get(SchedulerRegistry).getCronJob('retention')).toBeDefined();
    });

    it('takes a date as midnight UTC, in any state', async () => {
      transfers.findExpired.mockResolvedValue([]);

      await http().delete('/tracking/sms_transfers?before=2024-03-01').expect(200, { transfers: 0, documents: 0 });

      expect(transfers.findExpired).toHaveBeenCalledWith({
        before: new Date('2024-03-01T00:00:00.000Z'),
        state: undefined,
        after: undefined,
        limit: 100,
      });
    });

    it.each([
      ['', [{ loc: ['query', 'before'], msg: 'before must be a valid ISO 8601 date string', type: 'isIso8601' }]],
      ['?before=yesterday', [{ loc: ['query', 'before'], msg: 'before must be a valid ISO 8601 date string', type: 'isIso8601' }]],
      [
        '?before=2024-02-30T00:00:00Z',
        [{ loc: ['query', 'before'], msg: 'before must be a valid ISO 8601 date string', type: 'isIso8601' }],
      ],
      [
        '?before=2024-03-01T00:00:00Z&state=done',
        [{ loc: ['query', 'state'], msg: 'state must be one of the following values: INIT, SENT, DONE', type: 'isEnum' }],
      ],
    ])('answers 422 for %j and removes nothing', async (query, detail) => {
      await http().delete(`/tracking/sms_transfers${query}`).expect(422, { statusCode: 422, detail });

      expect(transfers.findExpired).not.toHaveBeenCalled();
    });
  });

  it('answers 500 without internals when the repository fails unexpectedly', async () => {
    transfers.findByUbid.mockRejectedValue(new Error('disk I/O error at /var/lib/secret'));

    await http().get(`/tracking/sms_transfers/${UBID}`).expect(500, { statusCode: 500, detail: 'Internal server error' });
  });

  it('answers 503 with Retry-After, and without the host, when the database cannot be used', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' });
    transfers.findByUbid.mockRejectedValue(new DatabaseUnavailableError('the database server cannot be reached', refused));

    const response = await http()
      .get(`/tracking/sms_transfers/${UBID}`)
      .expect(503, { statusCode: 503, detail: 'Database unavailable: the database server cannot be reached. Retry later.' });
    expect(response.headers['retry-after']).toBe('5');
  });
});
