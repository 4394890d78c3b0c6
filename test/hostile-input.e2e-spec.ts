import { once } from 'node:events';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';

import { INestApplication } from '@nestjs/common';
import fc from 'fast-check';
import request from 'supertest';

import { twilioSignature } from '../src/gateways/twilio-signature';
import { TrackingState } from '../src/tracking/tracking-state';
import { createTestApp } from '../tools/app-in-process';
import { mockedRepositories, mockSmsDocumentRepository, mockSmsTransferRepository, uploadedBatch } from './helpers/mocks';
import { createDatabase, describeEachDatabase, TestDatabaseKind } from './helpers/test-database';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const RUNS = 150;

/** Anything JSON can carry, with the names and values that break naive code mixed in. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(
      null,
      true,
      0,
      -1,
      1.5,
      1e308,
      -1e308,
      2 ** 53 + 1,
      '',
      '__proto__',
      "'; DROP TABLE sms_documents; --",
      '\u0000',
      '\ud800',
    ),
    fc.string(),
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'UBID', 'documents', 'SMScount', 'uniqueId', 'data', 'x'),
      tie('value'),
      {
        maxKeys: 5,
      },
    ),
  ),
})).value;

const document = fc.record(
  {
    SMScount: fc.oneof(fc.integer({ min: 1, max: 3 }), hostileJson),
    uniqueId: fc.oneof(fc.string({ maxLength: 10 }), hostileJson),
    data: hostileJson,
  },
  { requiredKeys: [] },
);
const documentsBody = fc.record(
  { UBID: fc.oneof(fc.constant(UBID), hostileJson), documents: fc.oneof(fc.array(document, { maxLength: 4 }), hostileJson) },
  { requiredKeys: [] },
);
const transferBody = fc.record(
  {
    UBID: fc.oneof(fc.constant(UBID), hostileJson),
    SMScount: hostileJson,
    documents: hostileJson,
    fileName: hostileJson,
    origName: hostileJson,
  },
  { requiredKeys: [] },
);
const receiptsBody = fc.record(
  {
    state: fc.oneof(fc.constantFrom(...Object.values(TrackingState)), hostileJson),
    uniqueIds: fc.oneof(fc.array(fc.string({ maxLength: 11 }), { maxLength: 4 }), hostileJson),
  },
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
 * A refusal in the original's shape, whatever the input: exactly the status again and a detail
 * that is a sentence or a non-empty list of field errors (where, what, which rule).
 */
function expectRefusal(response: Pick<request.Response, 'status' | 'body'>): void {
  const { detail } = response.body as { detail: unknown };
  const fieldError = { loc: expect.any(Array), msg: expect.stringMatching(/\S/), type: expect.stringMatching(/^\w+$/) };
  const expected = Array.isArray(detail) && detail.length > 0 ? detail.map(() => fieldError) : expect.stringMatching(/\S/);
  expect(response.body).toEqual({ statusCode: response.status, detail: expected });
}

/** POSTs raw bytes as application/json to the app, listening on a random port for the purpose. */
async function postBytes(app: INestApplication, path: string, body: Buffer): Promise<{ status?: number; body: unknown }> {
  const server = (app.getHttpServer() as Server).listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    return { status: response.status, body: await response.json() };
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

/**
 * Random and hostile input thrown at the real app (repositories mocked): it never answers 5xx, and
 * a refused request never reaches a repository write.
 */
describe('hostile input (e2e, property-based)', () => {
  let app: INestApplication;
  const transfers = mockSmsTransferRepository();
  const documents = mockSmsDocumentRepository();

  beforeAll(async () => {
    app = await createTestApp(mockedRepositories(transfers, documents));
  });
  afterAll(() => app.close());

  beforeEach(() => {
    jest.resetAllMocks();
    const stored = {
      UBID,
      fileName: 'f',
      origName: 'o',
      fallbackCount: 0,
      when: new Date(0),
      state: TrackingState.INIT,
      documents: 1,
      SMScount: 1,
    };
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
    documents.lockStates.mockResolvedValue(new Map());
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
          expectRefusal(response);
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
          if (response.status >= 400) expectRefusal(response);
        },
      ),
      { numRuns: RUNS },
    );
  });

  describe('named hostile inputs', () => {
    const upload = (data: unknown, uniqueId = '0000000001') => ({ UBID, documents: [{ SMScount: 1, uniqueId, data }] });
    const fieldError = (loc: (string | number)[], msg: string, type: string) => ({ statusCode: 422, detail: [{ loc, msg, type }] });

    it('refuses data above 64 KiB as JSON, counting UTF-8 bytes, and takes it at the limit', async () => {
      // {"text":"…"} is 11 bytes around the text; é is 2 bytes in UTF-8.
      const atLimit = { text: `a${'é'.repeat((64 * 1024 - 12) / 2)}` };
      expect(Buffer.byteLength(JSON.stringify(atLimit))).toBe(64 * 1024);

      await http().post('/tracking/sms_documents').send(upload(atLimit)).expect(201);
      await http()
        .post('/tracking/sms_documents')
        .send(upload({ text: `${atLimit.text}x` }))
        .expect(422, fieldError(['body', 'documents', 0, 'data'], 'data must not be larger than 65536 bytes as JSON', 'maxJsonBytes'));
    });

    it('refuses a 1 MB uniqueId and a 1 MB file name by their length', async () => {
      const huge = 'x'.repeat(1024 * 1024);

      await http()
        .post('/tracking/sms_documents')
        .send(upload({}, huge))
        .expect(
          422,
          fieldError(['body', 'documents', 0, 'uniqueId'], 'uniqueId must be shorter than or equal to 10 characters', 'maxLength'),
        );
      await http()
        .post('/tracking/sms_transfers')
        .send({ UBID, SMScount: 1, documents: 1, fileName: huge, origName: 'o' })
        .expect(422, fieldError(['body', 'fileName'], 'fileName must be shorter than or equal to 55 characters', 'maxLength'));
      expect(documents.upsertMany).not.toHaveBeenCalled();
      expect(transfers.upsert).not.toHaveBeenCalled();
    });

    it.each(['__proto__', 'constructor', 'prototype'])('keeps a "%s" key in data as plain data, polluting no prototype', async (key) => {
      const body = `{"UBID":"${UBID}","documents":[{"SMScount":1,"uniqueId":"p1","data":{"${key}":{"polluted":true,"prototype":{"polluted":true}}}}]}`;

      await http().post('/tracking/sms_documents').set('Content-Type', 'application/json').send(body).expect(201);

      const [stored] = uploadedBatch(documents.upsertMany).documents as { data: Record<string, unknown> }[];
      expect(Object.keys(stored.data)).toEqual([key]);
      expect(JSON.stringify(stored.data)).toBe(`{"${key}":{"polluted":true,"prototype":{"polluted":true}}}`);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('ignores a "__proto__" key at the top of a body: its fields do not count', async () => {
      const body = `{"__proto__":{"UBID":"${UBID}","documents":[{"SMScount":1,"uniqueId":"p1","data":{}}]}}`;

      const response = await http().post('/tracking/sms_documents').set('Content-Type', 'application/json').send(body).expect(422);

      expect(response.body.detail[0]).toEqual({ loc: ['body', 'UBID'], msg: 'UBID must be a UUID', type: 'isUuid' });
      expect(documents.upsertMany).not.toHaveBeenCalled();
    });

    it('refuses a body that is not valid UTF-8 rather than storing replacement characters', async () => {
      const body = Buffer.concat([
        Buffer.from(`{"UBID":"${UBID}","documents":[{"SMScount":1,"uniqueId":"u1","data":{"text":"`),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}}]}'),
      ]);

      // Raw bytes over a socket: superagent would serialise a Buffer as JSON.
      expect(await postBytes(app, '/tracking/sms_documents', body)).toEqual({
        status: 422,
        body: fieldError(['body'], 'Invalid JSON: the body is not valid UTF-8', 'json_invalid'),
      });
      expect(documents.upsertMany).not.toHaveBeenCalled();
    });

    it.each([
      ['application/x-www-form-urlencoded', `UBID=${UBID}`],
      ['text/plain', JSON.stringify(upload({}))],
      ['application/xml', '<UBID/>'],
    ])('answers 422 to a %s body, which is not read as JSON', async (type, body) => {
      const response = await http().post('/tracking/sms_documents').set('Content-Type', type).send(body).expect(422);

      expect(response.body.detail[0]).toMatchObject({ loc: ['body', 'UBID'] });
      expect(documents.upsertMany).not.toHaveBeenCalled();
    });

    it.each([`1' OR '1'='1`, `${UBID}'; DROP TABLE sms_documents; --`, '../../etc/passwd'])(
      'answers 422 to the UBID %s in a path',
      async (ubid) => {
        await http()
          .get(`/tracking/sms_transfers/${encodeURIComponent(ubid)}`)
          .expect(422, fieldError(['path', 'ubid'], 'ubid must be a UUID', 'isUuid'));
        expect(transfers.findByUbid).not.toHaveBeenCalled();
      },
    );

    it.each(['1e309', '-1', '10.5', '99999999999999999999', '0x10', '1e2', ' 7', ''])('answers 422 to limit=%p', async (limit) => {
      const response = await http().get('/tracking/sms_transfers').query({ limit }).expect(422);

      expect(response.body.detail[0].loc).toEqual(['query', 'limit']);
    });
  });

  it.each(['/tracking/sms_transfers', `/tracking/sms_documents/${UBID}/documents`])(
    'the listing %s never answers 5xx, whatever the query',
    async (path) => {
      await fc.assert(
        fc.asyncProperty(
          fc.dictionary(fc.constantFrom('limit', 'offset', 'state', 'after', 'x'), fc.oneof(fc.string(), fc.integer().map(String))),
          async (query) => {
            const response = await http().get(path).query(query);
            expect(response.status).toBeLessThan(500);
            if (response.status >= 400) expectRefusal(response);
          },
        ),
        { numRuns: RUNS },
      );
    },
  );
});

/** The gateways' ids of the one message the gateway tests submit, so that some reports find their document. */
const GATEWAY_IDS = { jasmin: '16fd2706-8baf-433b-82eb-8c7fada847da', kannel: 'b8f1c2', twilio: 'SM1f0e2c3b4a5d6e7f8a9b0c1d2e3f4a5b' };
const TWILIO_TOKEN = 'f3a9c2e17b5d4c8e9a1f2b3c4d5e6f7a';
const PUBLIC_URL = 'https://tracking.example.com';

/** A gateway callback route: how its fields travel, the fields it reads, and values it takes. */
interface GatewayRoute {
  method: 'GET' | 'POST';
  path: string;
  fields: 'query' | 'form';
  /** A report the gateway could send, to start from; the hostile fields come after it (a repeated name, a list). */
  report: Record<string, string>;
  /** Values of its fields as the gateway sends them, mixed into the hostile ones. */
  values: string[];
}

const JASMIN_REPORT = { id: GATEWAY_IDS.jasmin, message_status: 'DELIVRD', level: '2', donedate: '2410170859', err: '000' };
const JASMIN_VALUES = ['ESME_ROK', 'ESME_RINVDSTADR', 'UNDELIV', 'ENROUTE', '1', '3', '2413170859', '0x00000045'];
const GATEWAY_ROUTES: GatewayRoute[] = [
  { method: 'GET', path: '/tracking/gateways/jasmin/dlr', fields: 'query', report: JASMIN_REPORT, values: JASMIN_VALUES },
  { method: 'POST', path: '/tracking/gateways/jasmin/dlr', fields: 'form', report: JASMIN_REPORT, values: JASMIN_VALUES },
  {
    method: 'GET',
    path: '/tracking/gateways/kannel/dlr',
    fields: 'query',
    report: { id: GATEWAY_IDS.kannel, type: '1', err: '' },
    values: ['2', '4', '8', '16', '%d', '%F', '3'],
  },
  {
    method: 'POST',
    path: '/tracking/gateways/twilio/status',
    fields: 'form',
    report: { MessageSid: GATEWAY_IDS.twilio, MessageStatus: 'delivered', ErrorCode: '30003' },
    values: ['queued', 'undelivered', 'canceled', 'read', 'failed', 'AC3f4e'],
  },
];

/** Field values that break naive code: NUL, numbers no type holds, overlong ids, prototype names, SQL, non-ASCII. */
const hostileValue = (route: GatewayRoute) =>
  fc.oneof(
    fc.constantFrom(...route.values, ...Object.values(route.report)),
    fc.constantFrom(
      '',
      '\u0000',
      'a\u0000b',
      '99999999999999999999',
      '1e309',
      '-1',
      'NaN',
      '__proto__',
      "'; DROP TABLE sms_documents; --",
      'é',
      '😀',
      '%',
      '%FF',
    ),
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.integer({ min: 65, max: 6000 }).map((length) => 'x'.repeat(length)),
  );
/** Field names: the route's own, and those as lists (`a[]=`), objects or prototypes. */
const hostileName = (route: GatewayRoute) =>
  fc.oneof(
    fc.constantFrom(...Object.keys(route.report)),
    fc.constantFrom(...Object.keys(route.report)).map((name) => `${name}[]`),
    fc.constantFrom('a[]', 'id[x]', '__proto__', 'constructor', 'key', ''),
  );
/**
 * How the fields are written: percent-encoded UTF-8 (the right way), percent-encoded Latin-1 (a
 * wrong charset: é is a byte no UTF-8 text has), or, in a form, raw Latin-1 bytes (not UTF-8).
 */
type FieldEncoding = 'utf-8' | 'latin1' | 'raw latin1';
const FIELD_ENCODINGS: Record<GatewayRoute['fields'], FieldEncoding[]> = {
  query: ['utf-8', 'latin1'],
  form: ['utf-8', 'latin1', 'raw latin1'],
};

function encodedFields(pairs: [string, string][], encoding: FieldEncoding): Buffer {
  const charset = encoding === 'utf-8' ? 'utf8' : 'latin1';
  const escapedByte = (byte: number) => {
    const character = String.fromCharCode(byte);
    return /[\w.~-]/.test(character) ? character : `%${byte.toString(16).padStart(2, '0')}`;
  };
  const escaped = (text: string) =>
    encoding === 'raw latin1'
      ? Buffer.from(
          text.replace(/[%&=+]/g, (character) => `%${character.charCodeAt(0).toString(16)}`),
          'latin1',
        )
      : Buffer.from([...Buffer.from(text, charset)].map(escapedByte).join(''));
  return Buffer.concat(
    pairs.flatMap(([name, value], index) => [Buffer.from(index > 0 ? '&' : ''), escaped(name), Buffer.from('='), escaped(value)]),
  );
}

/**
 * Node's HTTP server answers a request whose line and headers pass its 16 KiB limit itself, 431
 * without a body, before the service sees it (docs/security.md): the one refusal not in JSON.
 */
const MAX_HEADER_BYTES = 16 * 1024;

/** A form's fields as the form parser keeps them (a name given twice is a list), to sign them as Twilio would. */
function formFields(body: Buffer): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(body.toString('latin1'))) {
    const before = fields[name];
    fields[name] = before === undefined ? value : [before, value].flat();
  }
  return fields;
}

/**
 * The gateways' callbacks, each route given random and hostile fields on the real app and a real
 * database: never a 5xx; a refusal is JSON `{statusCode, detail}`; an acceptance is the gateway's
 * own answer. Twilio's fields are signed (with the service's signature function: the signature is
 * not what this checks) so that they get past the guard; those the form parser reads otherwise
 * than URLSearchParams are refused 403, a refusal like any other.
 */
describeEachDatabase(
  ['sqlite::memory:', 'postgres'] satisfies TestDatabaseKind[],
  'hostile gateway callbacks on %s (e2e, property-based)',
  (kind) => {
    let app: INestApplication;
    let removeDatabase: () => Promise<void>;
    let origin: string;

    beforeAll(async () => {
      const { url, remove } = await createDatabase(kind);
      removeDatabase = remove;
      app = await createTestApp([], url, { TWILIO_AUTH_TOKEN: TWILIO_TOKEN, PUBLIC_URL });
      const server = (app.getHttpServer() as Server).listen(0, '127.0.0.1');
      await once(server, 'listening');
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const http = request(server);
      await http.post('/tracking/sms_transfers').send({ UBID, fileName: 'f', origName: 'o', documents: 3, SMScount: 3 }).expect(201);
      const uniqueIds = Object.keys(GATEWAY_IDS).map((_, index) => `000000000${index + 1}`);
      await http
        .post('/tracking/sms_documents')
        .send({ UBID, documents: uniqueIds.map((uniqueId) => ({ uniqueId, SMScount: 1, data: {} })) })
        .expect(201);
      for (const [index, [gateway, messageId]] of Object.entries(GATEWAY_IDS).entries()) {
        await http
          .post(`/tracking/sms_documents/${UBID}/submissions`)
          .send({ gateway, messages: [{ uniqueId: uniqueIds[index], messageId }] })
          .expect(200);
      }
    });
    afterAll(async () => {
      await app.close();
      await removeDatabase();
    });

    it.each(GATEWAY_ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
      '%s never answers 5xx: a refusal is JSON, an acceptance the gateway’s answer',
      async (_name, route) => {
        await fc.assert(
          fc.asyncProperty(
            fc.boolean(),
            fc.array(fc.tuple(hostileName(route), hostileValue(route)), { maxLength: 6 }),
            fc.constantFrom(...FIELD_ENCODINGS[route.fields]),
            fc.constantFrom('application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=iso-8859-1', 'text/plain'),
            async (startsAsReport, hostile, encoding, contentType) => {
              const fields = encodedFields([...(startsAsReport ? Object.entries(route.report) : []), ...hostile], encoding);
              const path = route.fields === 'query' ? `${route.path}?${fields.toString('latin1')}` : route.path;
              const headers: Record<string, string> = route.fields === 'form' ? { 'Content-Type': contentType } : {};
              if (route.path.includes('twilio'))
                headers['X-Twilio-Signature'] = twilioSignature(TWILIO_TOKEN, `${PUBLIC_URL}${path}`, formFields(fields));
              const response = await fetch(`${origin}${path}`, {
                method: route.method,
                headers,
                body: route.fields === 'form' ? fields : undefined,
              });
              const text = await response.text();

              expect(response.status).toBeLessThan(500);
              if (response.status === 431) {
                expect([path.length > MAX_HEADER_BYTES - 1024, text]).toEqual([true, '']);
              } else if (response.status >= 400) {
                expectRefusal({ status: response.status, body: JSON.parse(text) });
              } else if (route.path.includes('jasmin')) {
                expect([response.status, text]).toEqual([200, 'ACK/Jasmin']);
              } else {
                expect([response.status, JSON.parse(text)]).toEqual([
                  200,
                  { result: expect.stringMatching(/^(applied|unchanged|pending)$/) },
                ]);
              }
            },
          ),
          { numRuns: RUNS },
        );
      },
    );
  },
);
