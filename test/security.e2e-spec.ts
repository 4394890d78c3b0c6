import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { DatabaseHealthIndicator } from '../src/app/health/database-health.indicator';
import { UnitOfWork } from '../src/core/database/unit-of-work';
import { SmsTransferRepository } from '../src/sms-transfer/sms-transfer.repository';
import { createTestApp } from '../tools/app-in-process';
import { mockSmsTransferRepository, passThroughUnitOfWork } from './helpers/mocks';

const KEY = '3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e';
const OTHER_KEY = 'b6d0e4f2a8c1957e3d2f6a0b4c8e1d7f';
const MISSING = { statusCode: 401, detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"' };
const INVALID = { statusCode: 401, detail: 'Invalid API key' };
const READ_KEY = '9e1f5c3a7d2b8e4f6a0c1d5b9f3e7a2c';
const WRITE_KEY = '4a8e2c6f0b3d7e1a5c9f2b6d0e4a8c1f';
const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const TRANSFER = { UBID, fileName: 'f.json', origName: 'f.csv', documents: 1, SMScount: 1 };
const HOST_REFUSED = {
  statusCode: 403,
  detail:
    'Host not allowed: without API_KEYS this service answers only requests addressed to localhost, 127.0.0.1 or [::1], ' +
    'so that no web page can reach it through DNS rebinding. Set API_KEYS, or add the host name clients use to ALLOWED_HOSTS.',
};
const tooNarrow = (method: string, needed: string, granted: string) => ({
  statusCode: 403,
  detail: `Insufficient API key scope: ${method} under /tracking needs a key with the '${needed}' scope; this key has '${granted}'`,
});

describe('security (e2e, mocked repository)', () => {
  const transfers = mockSmsTransferRepository();
  // The readiness probe reads through the unit of work, which is mocked here: the database layer
  // is out of this test, so the probe's indicator is too (its own spec and health.e2e cover it).
  const database = { check: async () => ({ database: { status: 'up' } }) };
  const withMocks = (env: Record<string, string>) =>
    createTestApp(
      [
        { provide: SmsTransferRepository, useValue: transfers },
        { provide: UnitOfWork, useValue: passThroughUnitOfWork() },
        { provide: DatabaseHealthIndicator, useValue: database },
      ],
      'sqlite::memory:',
      env,
    );

  beforeEach(() => {
    jest.resetAllMocks();
    transfers.findPage.mockResolvedValue({ items: [], total: 0 });
  });

  describe('with API_KEYS', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await withMocks({ API_KEYS: `${KEY},${OTHER_KEY}` });
    });
    afterAll(() => app.close());

    it('answers 401 with a challenge when no key is sent, without reaching the repository', async () => {
      const response = await http().get('/tracking/sms_transfers').expect(401, MISSING);

      expect(response.headers['www-authenticate']).toBe('Bearer realm="TrackingDb"');
      expect(transfers.findPage).not.toHaveBeenCalled();
    });

    it.each([
      ['Authorization', `Bearer ${KEY}x`],
      ['Authorization', `Bearer ${KEY.slice(0, -1)}`],
      ['X-API-Key', 'wrong-key-0123456789'],
    ])('answers 401 for a wrong key in %s', async (header, value) => {
      await http().get('/tracking/sms_transfers').set(header, value).expect(401, INVALID);
      expect(transfers.findPage).not.toHaveBeenCalled();
    });

    it.each([
      ['Authorization', `Bearer ${KEY}`],
      ['Authorization', `bearer ${OTHER_KEY}`],
      ['X-API-Key', KEY],
    ])('lets a valid key in %s through', async (header, value) => {
      await http().get('/tracking/sms_transfers').set(header, value).expect(200, []);
    });

    it.each([
      '/tracking/sms_transfers/',
      '/TRACKING/sms_transfers',
      '/Tracking/SMS_documents/0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10',
      '/tracking',
    ])('protects %s too: paths differing in case or slashes are the same routes', async (path) => {
      await http().get(path).expect(401, MISSING);
    });

    it('refuses a body from a caller without a key before reading it', async () => {
      const oversized = 'x'.repeat(17 * 1024 * 1024);

      await http().post('/tracking/sms_documents').set('Content-Type', 'application/json').send(oversized).expect(401, MISSING);
    });

    it('keeps the health probes and the API documentation open', async () => {
      await http().get('/health').expect(200);
      await http().get('/health/ready').expect(200);
      await http().get('/openapi.json').expect(200);
      await http().get('/docs').expect(200);
    });

    it('answers requests addressed to any host: the key is what lets a request in', async () => {
      await http().get('/tracking/sms_transfers').set('Host', 'tracking.example.com').set('X-API-Key', KEY).expect(200, []);
      await http().get('/health').set('Host', 'tracking.example.com').expect(200);
    });
  });

  describe('with scoped API_KEYS', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await withMocks({ API_KEYS: `${READ_KEY}:read,${WRITE_KEY}:write,${KEY}` });
    });

    afterAll(() => app.close());

    beforeEach(() => {
      transfers.findByUbid.mockResolvedValue({ ...TRANSFER, fallbackCount: 0, state: 'INIT', when: new Date() });
      transfers.upsert.mockResolvedValue({ ...TRANSFER, fallbackCount: 0, state: 'INIT', when: new Date() });
      transfers.delete.mockResolvedValue(true);
      transfers.findExpired.mockResolvedValue([]);
    });

    it.each([READ_KEY, WRITE_KEY, KEY])('lets every key read (%s)', async (key) => {
      await http().get('/tracking/sms_transfers').set('X-API-Key', key).expect(200, []);
      await http().head(`/tracking/sms_transfers/${UBID}`).set('X-API-Key', key).expect(200);
    });

    it('refuses a read key a write with 403 and a challenge naming the scope, before the body is read or the repository reached', async () => {
      const response = await http()
        .post('/tracking/sms_transfers')
        .set('Authorization', `Bearer ${READ_KEY}`)
        .send(TRANSFER)
        .expect(403, tooNarrow('POST', 'write', 'read'));

      expect(response.headers['www-authenticate']).toBe('Bearer realm="TrackingDb", error="insufficient_scope", scope="write"');
      expect(transfers.upsert).not.toHaveBeenCalled();
      const oversized = 'x'.repeat(17 * 1024 * 1024);
      await http()
        .put(`/tracking/sms_transfers/${UBID}/fallback`)
        .set('Authorization', `Bearer ${READ_KEY}`)
        .set('Content-Type', 'application/json')
        .send(oversized)
        .expect(403, tooNarrow('PUT', 'write', 'read'));
    });

    it('lets a write key create', async () => {
      await http().post('/tracking/sms_transfers').set('X-API-Key', WRITE_KEY).send(TRANSFER).expect(201);
      expect(transfers.upsert).toHaveBeenCalledTimes(1);
    });

    it.each([
      [READ_KEY, 'read'],
      [WRITE_KEY, 'write'],
    ])('keeps deletes and the purge to admin keys: %s (%s) gets 403', async (key, granted) => {
      await http()
        .delete(`/tracking/sms_transfers/${UBID}`)
        .set('X-API-Key', key)
        .expect(403, tooNarrow('DELETE', 'admin', granted));
      await http()
        .delete('/tracking/sms_transfers?before=2024-03-01T00:00:00Z')
        .set('X-API-Key', key)
        .expect(403, tooNarrow('DELETE', 'admin', granted));
      expect(transfers.delete).not.toHaveBeenCalled();
      expect(transfers.findExpired).not.toHaveBeenCalled();
    });

    it('lets a bare key, admin, delete and purge', async () => {
      await http().delete(`/tracking/sms_transfers/${UBID}`).set('X-API-Key', KEY).expect(204);
      await http()
        .delete('/tracking/sms_transfers?before=2024-03-01T00:00:00Z')
        .set('X-API-Key', KEY)
        .expect(200, { transfers: 0, documents: 0 });
    });

    it('judges the scope before anything else, an unknown route included: a narrower key learns nothing of the routes', async () => {
      await http()
        .delete('/tracking/no_such_route')
        .set('X-API-Key', WRITE_KEY)
        .expect(403, tooNarrow('DELETE', 'admin', 'write'));
      await http().delete('/tracking/no_such_route').set('X-API-Key', KEY).expect(404);
    });
  });

  describe('without API_KEYS', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await withMocks({});
    });
    afterAll(() => app.close());

    it('lets every request through, with or without a key', async () => {
      await http().get('/tracking/sms_transfers').expect(200, []);
      await http().get('/tracking/sms_transfers').set('X-API-Key', 'anything-0123456789').expect(200, []);
    });

    // DNS rebinding: a web page whose name now resolves to 127.0.0.1 calls the service, with that name as Host.
    it.each(['/tracking/sms_transfers', '/health', '/health/ready', '/metrics', '/docs', '/openapi.json', '/', '/page/app.js', '/nowhere'])(
      'refuses %s, addressed to another host, with 403',
      async (path) => {
        await http().get(path).set('Host', 'rebound.evil.example:7000').expect(403, HOST_REFUSED);
        expect(transfers.findPage).not.toHaveBeenCalled();
      },
    );

    it('refuses a body addressed to another host before reading it, and a preflight too', async () => {
      await http()
        .post('/tracking/sms_documents')
        .set('Host', 'rebound.evil.example')
        .set('Content-Type', 'application/json')
        .send('x'.repeat(17 * 1024 * 1024))
        .expect(403, HOST_REFUSED);
      await http()
        .options('/tracking/sms_transfers')
        .set('Host', 'rebound.evil.example')
        .set('Origin', 'http://rebound.evil.example')
        .set('Access-Control-Request-Method', 'DELETE')
        .expect(403, HOST_REFUSED);
    });

    it.each(['localhost:7000', '127.0.0.1', '[::1]:80'])('answers requests addressed to this machine: Host %s', async (host) => {
      await http().get('/tracking/sms_transfers').set('Host', host).expect(200, []);
    });

    it("sends helmet's security headers", async () => {
      const { headers } = await http().get('/tracking/sms_transfers').expect(200);

      expect(headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'SAMEORIGIN',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(headers['content-security-policy']).toContain("default-src 'self'");
      expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
      expect(headers['x-powered-by']).toBeUndefined();
    });

    it('sends no CORS headers: browsers on other origins cannot read the answers', async () => {
      const { headers } = await http().get('/tracking/sms_transfers').set('Origin', 'https://app.example.com').expect(200);

      expect(headers['access-control-allow-origin']).toBeUndefined();
      expect(headers['vary']).toBeUndefined();
    });

    it('answers a preflight without CORS headers: a browser sends no cross-origin request at all', async () => {
      const { headers } = await http()
        .options('/tracking/sms_transfers')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST');

      expect(headers['access-control-allow-origin']).toBeUndefined();
      expect(headers['access-control-allow-methods']).toBeUndefined();
      expect(headers['access-control-max-age']).toBeUndefined();
    });
  });

  describe('without API_KEYS, with ALLOWED_HOSTS', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await withMocks({ ALLOWED_HOSTS: 'tracking.internal,10.0.0.5' });
    });
    afterAll(() => app.close());

    it('answers requests addressed to the names it lists, as well as to this machine, and refuses the others', async () => {
      await http().get('/tracking/sms_transfers').set('Host', 'tracking.internal:7000').expect(200, []);
      await http().get('/health').set('Host', '10.0.0.5').expect(200);
      await http().get('/health').set('Host', 'localhost').expect(200);
      await http().get('/health').set('Host', '10.0.0.6').expect(403, HOST_REFUSED);
    });
  });

  describe('with CORS_ORIGINS and API_KEYS', () => {
    let app: INestApplication;
    const http = () => request(app.getHttpServer());

    beforeAll(async () => {
      app = await withMocks({ API_KEYS: KEY, CORS_ORIGINS: 'https://app.example.com,http://localhost:8080' });
    });
    afterAll(() => app.close());

    it('answers a preflight from a listed origin without a key, allowing the key headers', async () => {
      const { headers } = await http()
        .options('/tracking/sms_transfers')
        .set('Origin', 'https://app.example.com')
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization,content-type')
        .expect(204);

      expect(headers['access-control-allow-origin']).toBe('https://app.example.com');
      expect(headers['access-control-allow-headers']).toBe('Authorization,Content-Type,x-api-key,x-request-id');
      expect(headers['access-control-allow-methods']).toBe('GET,POST,PUT,DELETE');
    });

    it('lets a listed origin read answers and their ids, and still needs the key', async () => {
      const allowed = await http().get('/tracking/sms_transfers').set('Origin', 'http://localhost:8080').set('X-API-Key', KEY).expect(200);
      expect(allowed.headers['access-control-allow-origin']).toBe('http://localhost:8080');
      expect(allowed.headers['access-control-expose-headers']).toBe('x-request-id,X-Total-Count');

      await http().get('/tracking/sms_transfers').set('Origin', 'http://localhost:8080').expect(401, MISSING);
    });

    it('gives other origins no CORS headers', async () => {
      const { headers } = await http()
        .get('/tracking/sms_transfers')
        .set('Origin', 'https://evil.example.net')
        .set('X-API-Key', KEY)
        .expect(200);

      expect(headers['access-control-allow-origin']).toBeUndefined();
    });
  });

  it("declares both ways to send a key in the OpenAPI document, on the /tracking operations (the gateways' callbacks: theirs), and the probes as public", async () => {
    const app = await withMocks({});
    const { body } = await request(app.getHttpServer()).get('/openapi.json').expect(200);
    await app.close();

    expect(body.components.securitySchemes).toEqual({
      bearer: {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'API key',
        description: 'An API key from API_KEYS, as `Authorization: Bearer <key>`.',
      },
      apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same key in the `X-API-Key` header.' },
      basic: {
        type: 'http',
        scheme: 'basic',
        description: "Gateway callbacks only: the same key as HTTP basic auth's password, any user name.",
      },
      keyQuery: {
        type: 'apiKey',
        in: 'query',
        name: 'key',
        description: 'Gateway callbacks only: the same key as the `key` query parameter.',
      },
      twilioSignature: {
        type: 'apiKey',
        in: 'header',
        name: 'X-Twilio-Signature',
        description: "Twilio's signature of the callback, checked with TWILIO_AUTH_TOKEN.",
      },
    });
    /** The gateways' callbacks: Twilio's by its signature alone; the others' key may also come in the URL. */
    const gatewaySecurity: Record<string, unknown> = {
      '/tracking/gateways/jasmin/dlr': [{ bearer: [] }, { apiKey: [] }, { basic: [] }, { keyQuery: [] }],
      '/tracking/gateways/kannel/dlr': [{ bearer: [] }, { apiKey: [] }, { basic: [] }, { keyQuery: [] }],
      '/tracking/gateways/twilio/status': [{ twilioSignature: [] }],
    };
    for (const [path, operations] of Object.entries(
      body.paths as Record<string, Record<string, { security?: unknown; responses: object }>>,
    )) {
      for (const operation of Object.values(operations)) {
        if (path in gatewaySecurity) {
          expect(operation.security).toEqual(gatewaySecurity[path]);
          expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['403', '503']));
        } else if (path.startsWith('/tracking')) {
          expect(operation.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
          expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '403', '503']));
        } else {
          expect(operation.security).toEqual([]);
        }
      }
    }
  });
});
