import { INestApplication } from '@nestjs/common';
import { OpenAPIObject } from '@nestjs/swagger';
import request from 'supertest';

import { buildOpenApiDocument } from '../src/app/openapi/openapi';
import { DatabaseUnavailableError, SERVER_UNREACHABLE } from '../src/core/database/database-unavailable';
import { UnitOfWork } from '../src/core/database/unit-of-work';
import { MAX_BODY_BYTES } from '../src/core/http/body-parsing';
import { MAX_FORM_BODY_BYTES } from '../src/core/http/form-body-parsing';
import { ReceiptRepository } from '../src/sms-document/receipts/receipt.repository';
import { SmsDocumentRepository } from '../src/sms-document/sms-document.repository';
import { SmsTransferRepository } from '../src/sms-transfer/sms-transfer.repository';
import { EXAMPLE_MESSAGE_ID, EXAMPLE_UBID, EXAMPLE_UNIQUE_ID } from '../src/tracking/decorators';
import { TrackingState } from '../src/tracking/tracking-state';
import { createTestApp } from '../tools/app-in-process';
import { storedTransfer } from './helpers/documents';
import { mockReceiptRepository, mockSmsDocumentRepository, mockSmsTransferRepository, spyingUnitOfWork } from './helpers/mocks';
import { twilioSigned } from './helpers/twilio-signature';

const KEY = '3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e';
const READ_KEY = '9e1f5c3a7d2b8e4f6a0c1d5b9f3e7a2c';
/** One key a scope narrower than each method needs: the 403 of a write, and of a delete. */
const NARROWER_KEY: Partial<Record<Call['method'], string>> = {
  post: READ_KEY,
  put: READ_KEY,
  delete: '4a8e2c6f0b3d7e1a5c9f2b6d0e4a8c1f',
};
const TWILIO_AUTH_TOKEN = 'f3a9c2e17b5d4c8e9a1f2b3c4d5e6f7a';
/** The URL Twilio calls, which its signature covers. */
const PUBLIC_URL = 'https://tracking.example.com';
const BAD_UBID = 'not-a-uuid';
const TRANSFER = storedTransfer(EXAMPLE_UBID);
const document = (SMScount: number) => ({ uniqueId: `${SMScount}${Math.random()}`.slice(0, 10), SMScount, data: {} });

interface Call {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  /** A JSON body. */
  body?: unknown;
  /** A form body (application/x-www-form-urlencoded), as the gateways send. */
  form?: Record<string, string>;
  headers?: Record<string, string>;
  /** The API key sent, when not the one with every scope. */
  key?: string;
}

/** How to make the service answer an operation's documented errors, with the documentation's example values. */
interface Triggers {
  /**
   * A request that reaches the database: it answers 401 without a key, 403 with a key too narrow
   * for its method (a read: addressed to another host of a service without keys), and 503 when the
   * database is gone.
   */
  valid: Call;
  /** The repository method the valid request reaches first, made to fail for the 503. */
  reaches: () => jest.Mock;
  /**
   * Any other status: the request, after the mocks have been told what to answer. Also a 401, 403
   * or 503 of a route that authenticates otherwise (a gateway's, by a key in its URL or a signature).
   */
  [status: number]: { call: Call; arrange?: () => void };
}

/**
 * The service's own answer to each error that the OpenAPI document shows with an example must be
 * that example, word for word: clients are generated from the document, and the examples are
 * built from the factories the services use, so that they cannot drift (see *.docs.ts). Every
 * documented example needs its trigger here; a new one without it fails the last test.
 */
describe('documented error answers (e2e, mocked repositories)', () => {
  let app: INestApplication;
  /** The same service without API keys: the 403 of a request addressed to another host. */
  let keyless: INestApplication;
  let openApi: OpenAPIObject;
  const transfers = mockSmsTransferRepository();
  const documents = mockSmsDocumentRepository();
  const receipts = mockReceiptRepository();
  const unitOfWork = spyingUnitOfWork();

  beforeAll(async () => {
    // The repositories are mocks: each error is arranged by telling them what the database has.
    const overrides = [
      { provide: SmsTransferRepository, useValue: transfers },
      { provide: SmsDocumentRepository, useValue: documents },
      { provide: ReceiptRepository, useValue: receipts },
      { provide: UnitOfWork, useValue: unitOfWork },
    ];
    app = await createTestApp(overrides, 'sqlite::memory:', {
      API_KEYS: `${KEY},${READ_KEY}:read,${NARROWER_KEY.delete}:write`,
      TWILIO_AUTH_TOKEN,
      PUBLIC_URL,
    });
    keyless = await createTestApp(overrides, 'sqlite::memory:', {});
    openApi = buildOpenApiDocument(app);
  });
  afterAll(() => Promise.all([app.close(), keyless.close()]));
  /** Forgets what the mocks were told; the unit of work goes back to running the work as it is. */
  function resetMocks(): void {
    jest.resetAllMocks();
    const passThrough = spyingUnitOfWork();
    unitOfWork.read.mockImplementation(passThrough.read);
    unitOfWork.write.mockImplementation(passThrough.write);
    unitOfWork.writeSingleStatement.mockImplementation(passThrough.writeSingleStatement);
  }

  const transferPath = (ubid = EXAMPLE_UBID) => `/tracking/sms_transfers/${ubid}`;
  const documentsPath = (ubid = EXAMPLE_UBID) => `/tracking/sms_documents/${ubid}`;
  const tooLarge = (path: string, method: Call['method'] = 'post') => ({
    call: { method, path, body: { padding: 'x'.repeat(MAX_BODY_BYTES) } },
  });
  const badUbid = (method: Call['method'], path: string) => ({ call: { method, path } });
  /** A submission of the example's message id for each of `uniqueIds`. */
  const submissions = (...uniqueIds: string[]) => ({
    gateway: 'jasmin',
    messages: uniqueIds.map((uniqueId) => ({ uniqueId, messageId: EXAMPLE_MESSAGE_ID })),
  });
  const noTransfer = { arrange: () => transfers.findByUbid.mockResolvedValue(null) };
  const JASMIN = '/tracking/gateways/jasmin/dlr';
  const KANNEL = '/tracking/gateways/kannel/dlr';
  const TWILIO = '/tracking/gateways/twilio/status';
  /** A level-2 Jasmin DLR of the example's message id, as a query or a form; `donedate` as told. */
  const jasminDlr = (donedate = '2410170859') => ({ id: EXAMPLE_MESSAGE_ID, message_status: 'DELIVRD', level: '2', donedate, err: '000' });
  const jasminQuery = (donedate?: string) => `${JASMIN}?${new URLSearchParams(jasminDlr(donedate)).toString()}`;
  const jasminForm = (form: Record<string, string>): Call => ({ method: 'post', path: JASMIN, form });
  /** A gateway's GET needs `write`: the 403 of a `read` key (not the keyless service's, as for other reads). */
  const readKeyOn = (path: string) => ({ call: { method: 'get', path, key: READ_KEY } as Call });
  /** A Twilio status callback with `fields`, signed as told (by default, rightly: at PUBLIC_URL with the token). */
  const twilioCall = (
    fields: Record<string, string>,
    signature = twilioSigned(TWILIO_AUTH_TOKEN, `${PUBLIC_URL}${TWILIO}`, fields),
  ): Call => ({
    method: 'post',
    path: TWILIO,
    form: fields,
    headers: { 'X-Twilio-Signature': signature },
  });
  const TWILIO_CALLBACK = { MessageSid: 'SM1f0e2c3b4a5d6e7f8a9b0c1d2e3f4a5b', MessageStatus: 'delivered' };
  const formTooLarge = (call: (form: Record<string, string>) => Call) => ({ call: call({ padding: 'x'.repeat(MAX_FORM_BODY_BYTES) }) });

  const triggers: Record<string, Triggers> = {
    createTransfer: {
      valid: {
        method: 'post',
        path: '/tracking/sms_transfers',
        body: { UBID: EXAMPLE_UBID, fileName: 'f.json', origName: 'f.csv', documents: 1, SMScount: 1 },
      },
      reaches: () => transfers.upsert,
      413: tooLarge('/tracking/sms_transfers'),
      422: {
        call: {
          method: 'post',
          path: '/tracking/sms_transfers',
          body: { UBID: EXAMPLE_UBID, fileName: 'f.json', origName: 'f.csv', documents: 0, SMScount: 1 },
        },
      },
    },
    listTransfers: {
      valid: { method: 'get', path: '/tracking/sms_transfers' },
      reaches: () => transfers.findPage,
      422: { call: { method: 'get', path: '/tracking/sms_transfers?limit=1001' } },
    },
    getTransfer: {
      valid: { method: 'get', path: transferPath() },
      reaches: () => transfers.findByUbid,
      404: { call: { method: 'get', path: transferPath() }, arrange: () => transfers.findByUbid.mockResolvedValue(null) },
      422: badUbid('get', transferPath(BAD_UBID)),
    },
    computeFallback: {
      valid: { method: 'post', path: `${transferPath()}/fallback` },
      reaches: () => transfers.setFallbackCountFromDocuments,
      404: {
        call: { method: 'post', path: `${transferPath()}/fallback` },
        arrange: () => transfers.setFallbackCountFromDocuments.mockResolvedValue(null),
      },
      422: badUbid('post', `${transferPath(BAD_UBID)}/fallback`),
    },
    setFallbackCount: {
      valid: { method: 'put', path: `${transferPath()}/fallback`, body: { fallbackCount: 1250 } },
      reaches: () => transfers.setFallbackCount,
      404: {
        call: { method: 'put', path: `${transferPath()}/fallback`, body: { fallbackCount: 1250 } },
        arrange: () => transfers.setFallbackCount.mockResolvedValue(null),
      },
      413: tooLarge(`${transferPath()}/fallback`, 'put'),
      422: { call: { method: 'put', path: `${transferPath()}/fallback`, body: { fallbackCount: -1 } } },
    },
    listTransferProgress: {
      valid: { method: 'get', path: '/tracking/progress/transfers' },
      reaches: () => transfers.findPage,
      422: { call: { method: 'get', path: '/tracking/progress/transfers?limit=101' } },
    },
    getTransferProgress: {
      valid: { method: 'get', path: `/tracking/progress/transfers/${EXAMPLE_UBID}` },
      reaches: () => transfers.findByUbid,
      404: { call: { method: 'get', path: `/tracking/progress/transfers/${EXAMPLE_UBID}` }, ...noTransfer },
      422: badUbid('get', `/tracking/progress/transfers/${BAD_UBID}`),
    },
    updateTransferState: {
      valid: { method: 'put', path: `${transferPath()}/SENT` },
      reaches: () => transfers.updateState,
      404: { call: { method: 'put', path: `${transferPath()}/SENT` }, arrange: () => transfers.updateState.mockResolvedValue(null) },
      409: {
        call: { method: 'put', path: `${transferPath()}/SENT` },
        arrange: () => transfers.updateState.mockResolvedValue({ ...TRANSFER, state: TrackingState.DONE }),
      },
      422: { call: { method: 'put', path: `${transferPath()}/BOGUS` } },
    },
    deleteTransfer: {
      valid: { method: 'delete', path: transferPath() },
      reaches: () => transfers.delete,
      404: { call: { method: 'delete', path: transferPath() }, arrange: () => transfers.delete.mockResolvedValue(false) },
      422: badUbid('delete', transferPath(BAD_UBID)),
    },
    purgeTransfers: {
      valid: { method: 'delete', path: '/tracking/sms_transfers?before=2024-03-01T00:00:00Z' },
      reaches: () => transfers.findExpired,
      422: { call: { method: 'delete', path: '/tracking/sms_transfers' } },
    },
    upsertDocuments: {
      valid: { method: 'post', path: '/tracking/sms_documents', body: { UBID: EXAMPLE_UBID, documents: [document(1)] } },
      reaches: () => documents.upsertMany,
      409: {
        call: {
          method: 'post',
          path: '/tracking/sms_documents',
          body: { UBID: EXAMPLE_UBID, documents: [{ ...document(1), gateway: 'jasmin', messageId: EXAMPLE_MESSAGE_ID }] },
        },
        arrange: () =>
          receipts.findByMessageIds.mockResolvedValue([
            { UBID: EXAMPLE_UBID, uniqueId: '0000000002', gateway: 'jasmin', messageId: EXAMPLE_MESSAGE_ID, state: TrackingState.SENT },
          ]),
      },
      413: tooLarge('/tracking/sms_documents'),
      422: {
        call: {
          method: 'post',
          path: '/tracking/sms_documents',
          body: { UBID: EXAMPLE_UBID, documents: [document(1), document(1), document(1), document(0)] },
        },
      },
    },
    countDocuments: {
      valid: { method: 'get', path: documentsPath() },
      reaches: () => documents.countByUbid,
      404: { call: { method: 'get', path: documentsPath() }, arrange: () => documents.countByUbid.mockResolvedValue(0) },
      422: badUbid('get', documentsPath(BAD_UBID)),
    },
    updateDocumentsState: {
      valid: { method: 'put', path: `${documentsPath()}/SENT` },
      reaches: () => documents.updateStateByUbid,
      404: {
        call: { method: 'put', path: `${documentsPath()}/SENT` },
        arrange: () => (documents.updateStateByUbid.mockResolvedValue(0), documents.hasDocuments.mockResolvedValue(false)),
      },
      422: { call: { method: 'put', path: `${documentsPath()}/BOGUS` } },
    },
    getDocumentsSummary: {
      valid: { method: 'get', path: `${documentsPath()}/summary` },
      reaches: () => transfers.findByUbid,
      404: { call: { method: 'get', path: `${documentsPath()}/summary` }, ...noTransfer },
      422: badUbid('get', `${documentsPath(BAD_UBID)}/summary`),
    },
    recordReceipts: {
      valid: { method: 'post', path: `${documentsPath()}/receipts`, body: { state: 'SENT', uniqueIds: [EXAMPLE_UNIQUE_ID] } },
      reaches: () => transfers.findByUbid,
      404: {
        call: { method: 'post', path: `${documentsPath()}/receipts`, body: { state: 'SENT', uniqueIds: [EXAMPLE_UNIQUE_ID] } },
        ...noTransfer,
      },
      409: {
        call: { method: 'post', path: `${documentsPath()}/receipts`, body: { state: 'SENT', uniqueIds: [EXAMPLE_UNIQUE_ID] } },
        arrange: () => (
          transfers.findByUbid.mockResolvedValue(TRANSFER),
          documents.lockStates.mockResolvedValue(new Map([[EXAMPLE_UNIQUE_ID, TrackingState.DONE]]))
        ),
      },
      413: tooLarge(`${documentsPath()}/receipts`),
      422: {
        call: {
          method: 'post',
          path: `${documentsPath()}/receipts`,
          body: { state: 'SENT', uniqueIds: Array.from({ length: 5001 }, (_, index) => String(index)) },
        },
      },
    },
    submitMessages: {
      valid: { method: 'post', path: `${documentsPath()}/submissions`, body: submissions(EXAMPLE_UNIQUE_ID) },
      reaches: () => receipts.lockMessageIds,
      404: { call: { method: 'post', path: `${documentsPath()}/submissions`, body: submissions(EXAMPLE_UNIQUE_ID) }, ...noTransfer },
      409: {
        call: { method: 'post', path: `${documentsPath()}/submissions`, body: submissions(EXAMPLE_UNIQUE_ID) },
        arrange: () => (
          transfers.findByUbid.mockResolvedValue(TRANSFER),
          receipts.findByMessageIds.mockResolvedValue([
            { UBID: EXAMPLE_UBID, uniqueId: '0000000002', gateway: 'jasmin', messageId: EXAMPLE_MESSAGE_ID, state: TrackingState.SENT },
          ])
        ),
      },
      413: tooLarge(`${documentsPath()}/submissions`),
      422: { call: { method: 'post', path: `${documentsPath()}/submissions`, body: submissions(EXAMPLE_UNIQUE_ID, '0000000002') } },
    },
    recordGatewayReceipts: {
      valid: {
        method: 'post',
        path: '/tracking/receipts',
        body: [{ gateway: 'jasmin', messageId: EXAMPLE_MESSAGE_ID, status: 'delivered' }],
      },
      reaches: () => receipts.lockMessageIds,
      413: tooLarge('/tracking/receipts'),
      422: {
        call: { method: 'post', path: '/tracking/receipts', body: [{ gateway: 'jasmin', messageId: EXAMPLE_MESSAGE_ID, status: 'done' }] },
      },
    },
    receiveJasminDlr: {
      valid: { method: 'get', path: jasminQuery() },
      reaches: () => receipts.lockMessageIds,
      403: readKeyOn(jasminQuery()),
      422: { call: { method: 'get', path: jasminQuery('2413170859') } },
    },
    receiveJasminDlrForm: {
      valid: jasminForm(jasminDlr()),
      reaches: () => receipts.lockMessageIds,
      413: formTooLarge(jasminForm),
      415: { call: { method: 'post', path: JASMIN, body: jasminDlr() } },
      422: { call: jasminForm(jasminDlr('2413170859')) },
    },
    receiveKannelDlr: {
      valid: { method: 'get', path: `${KANNEL}?id=${EXAMPLE_MESSAGE_ID}&type=1` },
      reaches: () => receipts.lockMessageIds,
      403: readKeyOn(`${KANNEL}?id=${EXAMPLE_MESSAGE_ID}&type=1`),
      422: { call: { method: 'get', path: `${KANNEL}?id=${EXAMPLE_MESSAGE_ID}&type=3` } },
    },
    receiveTwilioStatus: {
      valid: twilioCall(TWILIO_CALLBACK),
      reaches: () => receipts.lockMessageIds,
      // Authenticated by its signature alone: the one of other fields is refused.
      403: {
        call: twilioCall(
          TWILIO_CALLBACK,
          twilioSigned(TWILIO_AUTH_TOKEN, `${PUBLIC_URL}${TWILIO}`, { ...TWILIO_CALLBACK, MessageStatus: 'failed' }),
        ),
      },
      413: formTooLarge((form) => twilioCall(form)),
      // A JSON body is not read: its signature is the URL's alone, and the form pipe refuses it.
      415: { call: { ...twilioCall({}), form: undefined, body: TWILIO_CALLBACK } },
      422: { call: twilioCall({ MessageSid: TWILIO_CALLBACK.MessageSid }) },
    },
    listDocuments: {
      valid: { method: 'get', path: `${documentsPath()}/documents` },
      reaches: () => transfers.findByUbid,
      404: { call: { method: 'get', path: `${documentsPath()}/documents` }, ...noTransfer },
      422: { call: { method: 'get', path: `${documentsPath()}/documents?limit=5001` } },
    },
    getDocument: {
      valid: { method: 'get', path: `${documentsPath()}/documents/${EXAMPLE_UNIQUE_ID}` },
      reaches: () => documents.findOne,
      404: {
        call: { method: 'get', path: `${documentsPath()}/documents/${EXAMPLE_UNIQUE_ID}` },
        arrange: () => documents.findOne.mockResolvedValue(null),
      },
      422: { call: { method: 'get', path: `${documentsPath()}/documents/01234567890` } },
    },
    exportDocuments: {
      valid: { method: 'get', path: `${documentsPath()}/export` },
      reaches: () => transfers.findByUbid,
      404: { call: { method: 'get', path: `${documentsPath()}/export` }, ...noTransfer },
      422: { call: { method: 'get', path: `${documentsPath()}/export?format=xml` } },
    },
    checkReadiness: {
      valid: { method: 'get', path: '/health/ready' },
      reaches: () => unitOfWork.read,
    },
  };

  /** Every documented error answer with an example: operation, status and the example body. */
  function documentedErrors(): [string, number, unknown][] {
    return Object.values(openApi.paths).flatMap((item) =>
      (['get', 'post', 'put', 'delete'] as const).flatMap((method) => {
        const operation = item[method];
        if (!operation) return [];
        return Object.entries(operation.responses)
          .filter(([status]) => Number(status) >= 400)
          .map(
            ([status, response]) =>
              [
                operation.operationId!,
                Number(status),
                (response as { content?: Record<string, { example?: unknown }> }).content?.['application/json']?.example,
              ] as [string, number, unknown],
          )
          .filter(([, , example]) => example !== undefined);
      }),
    );
  }

  /** Sends `call` with its key (`null`: none). */
  async function send(call: Call, key: string | null = call.key ?? KEY) {
    const { method, path, body, form, headers = {} } = call;
    const sent = request(app.getHttpServer())[method](path).set(headers);
    if (key !== null) sent.set('Authorization', `Bearer ${key}`);
    if (form !== undefined) return sent.type('form').send(form);
    return body === undefined ? sent : sent.send(body as object);
  }

  /** The 403 of an operation: a key one scope too narrow for its method; for a read, the keyless service addressed to another host. */
  async function forbidden({ method, path }: Call) {
    const key = NARROWER_KEY[method];
    if (key !== undefined) return send({ method, path }, key);
    return request(keyless.getHttpServer())[method](path).set('Host', 'rebound.evil.example');
  }

  // An example documented under another media type would escape the comparisons below.
  it('documents every error answer as JSON, as the service answers it', () => {
    const notJson = Object.entries(openApi.paths).flatMap(([path, item]) =>
      (['get', 'post', 'put', 'delete'] as const).flatMap((method) =>
        Object.entries(item[method]?.responses ?? {})
          .filter(([status]) => Number(status) >= 400)
          .flatMap(([status, response]) =>
            Object.keys((response as { content?: Record<string, unknown> }).content ?? {})
              .filter((mediaType) => mediaType !== 'application/json')
              .map((mediaType) => `${method.toUpperCase()} ${path} ${status} ${mediaType}`),
          ),
      ),
    );

    expect(notJson).toEqual([]);
  });

  // 408, a body slower than MIN_BODY_RATE_KIB_S over a 10 s window, needs the window's clock:
  // test/upload-admission.e2e-spec.ts makes one and holds its answer to the documented example.
  it('has a trigger for every documented error example', () => {
    const missing = documentedErrors()
      .filter(
        ([operationId, status]) => !triggers[operationId] || (![401, 403, 408, 503].includes(status) && !triggers[operationId][status]),
      )
      .map(([operationId, status]) => `${operationId} ${status}`);

    expect(missing).toEqual([]);
    expect(documentedErrors().length).toBeGreaterThan(40);
  });

  describe.each([401, 403, 404, 409, 413, 415, 422, 503])('documented %i answers', (status) => {
    it('are what the service answers', async () => {
      const cases = documentedErrors().filter(([, documented]) => documented === status);
      expect(cases.length).toBeGreaterThan(0);
      for (const [operationId, , example] of cases) {
        resetMocks();
        const trigger = triggers[operationId];
        let response;
        if (trigger[status]) {
          trigger[status].arrange?.();
          response = await send(trigger[status].call);
        } else if (status === 401) {
          response = await send(trigger.valid, null);
        } else if (status === 403) {
          response = await forbidden(trigger.valid);
        } else if (status === 503) {
          trigger.reaches().mockRejectedValue(new DatabaseUnavailableError(SERVER_UNREACHABLE, new Error('connect ECONNREFUSED')));
          response = await send(trigger.valid);
        } else {
          throw new Error(`${operationId} has no trigger for its documented ${status}`);
        }

        expect({ operationId, status: response.status, body: response.body }).toEqual({ operationId, status, body: example });
      }
    });
  });
});
