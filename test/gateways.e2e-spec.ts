import { INestApplication } from '@nestjs/common';
import request from 'supertest';

import { GatewayReceipt, ReceiptRecorder, ReceiptResult } from '../src/tracking/gateway-receipt';
import { createTestApp } from '../tools/app-in-process';
import { twilioSigned } from './helpers/twilio-signature';

const JASMIN = '/tracking/gateways/jasmin/dlr';
const KANNEL = '/tracking/gateways/kannel/dlr';
const TWILIO = '/tracking/gateways/twilio/status';
const ID = '16fd2706-8baf-433b-82eb-8c7fada847da';
/** Kannel's report of a message delivered (type 1). */
const KANNEL_DELIVERED = { id: '0a1f3c2b', type: '1' };
const LEVEL_2 = { id: ID, message_status: 'DELIVRD', level: '2', donedate: '2410170859', err: '000', sub: '001', dlvrd: '001' };
const DELIVERED: GatewayReceipt = {
  gateway: 'jasmin',
  messageId: ID,
  status: 'delivered' as GatewayReceipt['status'],
  errorCode: null,
  doneAt: new Date('2024-10-17T08:59:00Z'),
};
const TWILIO_TOKEN = 'f3a9c2e17b5d4c8e9a1f2b3c4d5e6f7a';
const PUBLIC_URL = 'https://tracking.example.com';
const CALLBACK = {
  MessageSid: 'SM1f0e2c3b4a5d6e7f8a9b0c1d2e3f4a5b',
  MessageStatus: 'undelivered',
  ErrorCode: '30003',
  AccountSid: 'AC3f4e',
  To: '+15558675310',
};
const WRITE_KEY = 'write-key-0123456789';
const READ_KEY = 'read-key-0123456789a';

/** Twilio's signature of `fields` at `url`, keyed with `token` (the service's, unless told). */
function signed(url: string, fields: Record<string, string>, token = TWILIO_TOKEN): string {
  return twilioSigned(token, url, fields);
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

/** Lets the event loop turn a few times: enough for an answer already sent to be received. */
async function turns(count = 20): Promise<void> {
  for (let turn = 0; turn < count; turn++) await new Promise((done) => setImmediate(done));
}

/** The recording of receipts is the other half of the service; these tests are about the HTTP side, so they mock it. */
function mockRecorder() {
  return { record: jest.fn<Promise<ReceiptResult[]>, [GatewayReceipt[]]>() };
}

describe('gateway callbacks (e2e, mocked ReceiptRecorder)', () => {
  const recorder = mockRecorder();
  let app: INestApplication;
  const start = async (env: Record<string, string> = {}) => {
    app = await createTestApp([{ provide: ReceiptRecorder, useValue: recorder }], 'sqlite::memory:', env);
  };
  /** Twilio's callback (CALLBACK) as it posts it, signed `signature`, to `path` with further `headers` (a Host, a proxy's). */
  const postTwilio = (signature: string, { path = TWILIO, headers = {} }: { path?: string; headers?: Record<string, string> } = {}) =>
    request(app.getHttpServer()).post(path).set(headers).set('X-Twilio-Signature', signature).type('form').send(CALLBACK);
  beforeEach(() => {
    jest.resetAllMocks();
    recorder.record.mockResolvedValue(['applied']);
  });
  afterEach(async () => {
    await app?.close();
  });

  describe('without API_KEYS', () => {
    beforeEach(() => start({ TWILIO_AUTH_TOKEN: TWILIO_TOKEN, PUBLIC_URL }));

    it("answers Jasmin's GET with ACK/Jasmin exactly, and only once the receipt is recorded", async () => {
      const recorded = deferred<ReceiptResult[]>();
      const called = deferred<void>();
      recorder.record.mockImplementation(() => {
        called.resolve();
        return recorded.promise;
      });
      let answered = false;
      const answer = request(app.getHttpServer())
        .get(JASMIN)
        .query(LEVEL_2)
        .then((response) => {
          answered = true;
          return response;
        });

      await called.promise;
      await turns();
      expect(answered).toBe(false);
      recorded.resolve(['applied']);
      const response = await answer;

      expect(response.status).toBe(200);
      expect(response.text).toBe('ACK/Jasmin');
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(recorder.record.mock.calls).toEqual([[[DELIVERED]]]);
    });

    it("answers Jasmin's POST form the same", async () => {
      const response = await request(app.getHttpServer()).post(JASMIN).type('form').send(LEVEL_2);

      expect(response.status).toBe(200);
      expect(response.text).toBe('ACK/Jasmin');
      expect(recorder.record.mock.calls).toEqual([[[DELIVERED]]]);
    });

    it('reads a level-1 report: the SMSC accepted or refused the submit', async () => {
      await request(app.getHttpServer()).get(JASMIN).query({ id: ID, message_status: 'ESME_ROK', level: '1' }).expect(200, 'ACK/Jasmin');
      await request(app.getHttpServer()).get(JASMIN).query({ id: ID, message_status: 'ESME_RTHROTTLED', level: '1' }).expect(200);

      expect(recorder.record.mock.calls).toEqual([
        [[{ gateway: 'jasmin', messageId: ID, status: 'accepted', errorCode: null, doneAt: null }]],
        [[{ gateway: 'jasmin', messageId: ID, status: 'rejected', errorCode: 'ESME_RTHROTTLED', doneAt: null }]],
      ]);
    });

    it("answers Kannel's GET with what became of the report, once recorded", async () => {
      recorder.record.mockResolvedValue(['pending']);

      const response = await request(app.getHttpServer()).get(KANNEL).query({ id: '0a1f3c2b', type: '16', err: '088' });

      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { result: 'pending' } });
      expect(recorder.record.mock.calls).toEqual([
        [[{ gateway: 'kannel', messageId: '0a1f3c2b', status: 'rejected', errorCode: '088', doneAt: null }]],
      ]);
    });

    it.each([
      [`${JASMIN}?message_status=DELIVRD&level=2`, 'Jasmin report without `id`'],
      [
        `${JASMIN}?id=1&message_status=DELIVERED&level=2`,
        "Jasmin report's `message_status` 'DELIVERED' is none of DELIVRD, EXPIRED, UNDELIV, DELETED, REJECTD, UNKNOWN, ACCEPTD, ENROUTE",
      ],
      [
        `${JASMIN}?id=1&message_status=DELIVRD&level=2&donedate=2413170859`,
        "Jasmin report's `donedate` '2413170859' is not a date as YYMMDDhhmm",
      ],
      [`${JASMIN}?id=1&id=2&message_status=DELIVRD&level=2`, 'Jasmin report with `id` more than once'],
      [`${KANNEL}?type=1`, 'Kannel report without `id`'],
      [`${KANNEL}?id=1&type=%25d`, "Kannel report's `type` '%d' is none of 1, 2, 4, 8, 16"],
    ])('refuses GET %s with 422, recording nothing', async (url, detail) => {
      const response = await request(app.getHttpServer()).get(url);

      expect({ status: response.status, body: response.body }).toEqual({ status: 422, body: { statusCode: 422, detail } });
      expect(recorder.record).not.toHaveBeenCalled();
    });

    it('refuses the NUL character in a query and in a form, as everywhere', async () => {
      const query = await request(app.getHttpServer()).get(`${JASMIN}?id=a%00&message_status=DELIVRD&level=2`);
      const form = await request(app.getHttpServer()).post(JASMIN).type('form').send('id=a%00&message_status=DELIVRD&level=2');

      const detail = (field: string, part: string) => [
        { loc: [part, field], msg: `${field} must not contain the NUL character (U+0000)`, type: 'noNulCharacter' },
      ];
      expect({ status: query.status, body: query.body }).toEqual({ status: 422, body: { statusCode: 422, detail: detail('id', 'query') } });
      expect({ status: form.status, body: form.body }).toEqual({ status: 422, body: { statusCode: 422, detail: detail('id', 'body') } });
      expect(recorder.record).not.toHaveBeenCalled();
    });

    it('takes only a form on a form route: JSON is 415, a form over 16 KiB 413', async () => {
      const json = await request(app.getHttpServer()).post(JASMIN).send(LEVEL_2);
      const large = await request(app.getHttpServer())
        .post(JASMIN)
        .type('form')
        .send({ ...LEVEL_2, text: 'x'.repeat(16 * 1024) });

      expect({ status: json.status, body: json.body }).toEqual({
        status: 415,
        body: { statusCode: 415, detail: 'This route takes a form: send the body as application/x-www-form-urlencoded' },
      });
      expect({ status: large.status, body: large.body }).toEqual({
        status: 413,
        body: { statusCode: 413, detail: 'Form body is larger than the 16 KiB limit' },
      });
      expect(recorder.record).not.toHaveBeenCalled();
    });

    it("answers Twilio's signed callback once recorded", async () => {
      const response = await postTwilio(signed(`${PUBLIC_URL}${TWILIO}`, CALLBACK));

      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { result: 'applied' } });
      expect(recorder.record.mock.calls).toEqual([
        [[{ gateway: 'twilio', messageId: CALLBACK.MessageSid, status: 'failed', errorCode: '30003', doneAt: null }]],
      ]);
    });

    it.each([
      ['another token', signed(`${PUBLIC_URL}${TWILIO}`, CALLBACK, 'another-token')],
      ["the service's own URL rather than PUBLIC_URL", signed(`http://127.0.0.1${TWILIO}`, CALLBACK)],
      ['other fields', signed(`${PUBLIC_URL}${TWILIO}`, { ...CALLBACK, MessageStatus: 'delivered' })],
    ])('refuses a Twilio callback signed with %s: 403', async (_case, signature) => {
      const response = await postTwilio(signature, { headers: { Host: '127.0.0.1' } });

      expect({ status: response.status, body: response.body }).toEqual({
        status: 403,
        body: {
          statusCode: 403,
          detail:
            "Invalid X-Twilio-Signature: it does not match TWILIO_AUTH_TOKEN, this request's fields and its URL (behind a proxy, set PUBLIC_URL to the URL Twilio calls)",
        },
      });
      expect(recorder.record).not.toHaveBeenCalled();
    });

    it('refuses a Twilio callback without a signature: 403', async () => {
      const response = await request(app.getHttpServer()).post(TWILIO).type('form').send(CALLBACK);

      expect({ status: response.status, body: response.body }).toEqual({
        status: 403,
        body: { statusCode: 403, detail: 'Missing X-Twilio-Signature: Twilio status callbacks are authenticated by their signature' },
      });
      expect(recorder.record).not.toHaveBeenCalled();
    });
  });

  describe('without PUBLIC_URL', () => {
    beforeEach(() => start({ TWILIO_AUTH_TOKEN: TWILIO_TOKEN }));

    it('checks the signature against the URL the request came to: its scheme, Host and path and query', async () => {
      const url = `http://127.0.0.1:7000${TWILIO}?account=main`;
      const response = await postTwilio(signed(url, CALLBACK), { path: `${TWILIO}?account=main`, headers: { Host: '127.0.0.1:7000' } });

      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { result: 'applied' } });
    });

    it('does not trust X-Forwarded-Proto or X-Forwarded-Host: anyone may send them', async () => {
      const response = await postTwilio(signed(`https://tracking.example.com${TWILIO}`, CALLBACK), {
        headers: { Host: '127.0.0.1:7000', 'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'tracking.example.com' },
      });

      expect(response.status).toBe(403);
    });
  });

  describe('without TWILIO_AUTH_TOKEN', () => {
    beforeEach(() => start());

    it('refuses every Twilio callback, signed or not, with 403 and what to set', async () => {
      const response = await postTwilio(signed(`http://127.0.0.1${TWILIO}`, CALLBACK));

      expect({ status: response.status, body: response.body }).toEqual({
        status: 403,
        body: {
          statusCode: 403,
          detail: 'Twilio status callbacks are off: set TWILIO_AUTH_TOKEN to the auth token of the Twilio account that sends them',
        },
      });
      expect(recorder.record).not.toHaveBeenCalled();
    });
  });

  describe('with API_KEYS', () => {
    beforeEach(() => start({ API_KEYS: `${WRITE_KEY}:write,${READ_KEY}:read`, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, PUBLIC_URL }));
    const basic = (key: string) => `Basic ${Buffer.from(`jasmin:${key}`).toString('base64')}`;

    it.each([
      ['the key query parameter', (test: request.Test) => test.query({ key: WRITE_KEY })],
      ['HTTP basic auth', (test: request.Test) => test.set('Authorization', basic(WRITE_KEY))],
      ['X-API-Key', (test: request.Test) => test.set('X-API-Key', WRITE_KEY)],
    ])("lets Jasmin's and Kannel's GET in with a write key as %s", async (_way, withKey) => {
      await withKey(request(app.getHttpServer()).get(JASMIN).query(LEVEL_2)).expect(200, 'ACK/Jasmin');
      await withKey(request(app.getHttpServer()).get(KANNEL).query(KANNEL_DELIVERED)).expect(200, { result: 'applied' });
      await withKey(request(app.getHttpServer()).post(JASMIN).type('form').send(LEVEL_2)).expect(200, 'ACK/Jasmin');

      expect(recorder.record).toHaveBeenCalledTimes(3);
    });

    it('refuses a report without a key (401, naming every way) or with a read key (403, though by GET)', async () => {
      const missing = await request(app.getHttpServer()).get(KANNEL).query(KANNEL_DELIVERED);
      const read = await request(app.getHttpServer())
        .get(KANNEL)
        .query({ ...KANNEL_DELIVERED, key: READ_KEY });

      expect({ status: missing.status, body: missing.body }).toEqual({
        status: 401,
        body: {
          statusCode: 401,
          detail:
            'Missing API key: send it as "Authorization: Bearer <key>", as "X-API-Key: <key>", as the password of HTTP basic auth (any user name) or as the `key` query parameter',
        },
      });
      expect({ status: read.status, body: read.body }).toEqual({
        status: 403,
        body: {
          statusCode: 403,
          detail:
            "Insufficient API key scope: /tracking/gateways/kannel/dlr needs a key with the 'write' scope whatever the method; this key has 'read'",
        },
      });
      expect(recorder.record).not.toHaveBeenCalled();
    });

    it('takes no key in the URL on the other routes', async () => {
      const response = await request(app.getHttpServer()).get('/tracking/sms_transfers').query({ key: WRITE_KEY });

      expect(response.status).toBe(401);
    });

    it('lets Twilio in by its signature alone, without a key', async () => {
      const response = await postTwilio(signed(`${PUBLIC_URL}${TWILIO}`, CALLBACK));

      expect({ status: response.status, body: response.body }).toEqual({ status: 200, body: { result: 'applied' } });
    });

    it('measures a keyed callback by its route, never its URL: the key is not in /metrics', async () => {
      await request(app.getHttpServer())
        .get(JASMIN)
        .query({ ...LEVEL_2, key: WRITE_KEY })
        .expect(200);
      const metrics = await request(app.getHttpServer()).get('/metrics').expect(200);

      expect(metrics.text).toContain('route="/tracking/gateways/jasmin/dlr"');
      expect(metrics.text).not.toContain(WRITE_KEY);
    });
  });
});
