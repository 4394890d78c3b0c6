import {
  createTrackingClient,
  DocumentInput,
  DocumentPage,
  DocumentsSummary,
  ErrorResponse,
  NewTransfer,
  ReceiptsResult,
  StoredDocument,
  TrackingClient,
  TrackingState,
  Transfer,
  ValidationErrorResponse,
} from '../clients/typescript/src';
import { loadTestData } from './helpers/load-test-data';
import { startTestServer, TestServer } from './helpers/test-app';

interface TestData {
  transfer: NewTransfer;
  otherTransfers: NewTransfer[];
  uploads: { count: number; result: string }[];
  counted: { count: number; result: string };
  documentsSent: { count: number; result: string };
  receiptBackwards: ErrorResponse;
  transferNotFound: ErrorResponse;
  documentsNotFound: ErrorResponse;
  badUbid: ValidationErrorResponse;
  badState: ValidationErrorResponse;
  unknownTransferUpload: ValidationErrorResponse;
}

const data = loadTestData<TestData>(__filename);
const { UBID } = data.transfer;
const SUB_BATCH = 5000;
/** Documents that get a DONE receipt; the rest stay SENT and end up as fallbacks. */
const DELIVERED = 9000;

/** 12,000 documents, uploaded as 5000 + 5000 + 2000. */
const documents: DocumentInput[] = Array.from({ length: data.transfer.documents }, (_, index) => ({
  uniqueId: String(index).padStart(10, '0'),
  SMScount: 1 + (index % 3),
  data: { phone: `+49170${String(index).padStart(7, '0')}`, text: 'Your parcel arrives today', meta: { index } },
}));

/**
 * The generated TypeScript client (clients/typescript) against the real service on a SQLite file:
 * the whole life cycle of a transfer, through the client only. The steps build on each other.
 */
/** The service runs with API keys, as in production; the client sends its key with every call. */
const API_KEY = 'sdk-e2e-key-0123456789abcdef';

describe('the generated TypeScript client against the service (e2e)', () => {
  let server: TestServer;
  let client: TrackingClient;
  let sent: Transfer;

  beforeAll(async () => {
    server = await startTestServer({ API_KEYS: API_KEY });
    client = createTrackingClient(server.url, { apiKey: API_KEY });
  });
  afterAll(() => server.close());

  const path = { ubid: UBID };

  it('answers 401, typed, to a client without the key', async () => {
    const anonymous = createTrackingClient(server.url);

    const { data: listed, error, response } = await anonymous.GET('/tracking/sms_transfers');

    expect(response.status).toBe(401);
    expect(listed).toBeUndefined();
    // Typed as the union of the operation's error bodies; a 401 carries a sentence.
    expect(error?.detail).toEqual(expect.any(String));
    expect(error).toEqual({
      statusCode: 401,
      detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"',
    });
  });

  /** The life cycle, in order: each step works on what the steps before it left behind. */
  const lifeCycle: [string, () => Promise<void>][] = [
    [
      'creates a transfer',
      async () => {
        const { data: created, response } = await client.POST('/tracking/sms_transfers', { body: data.transfer });

        expect(response.status).toBe(201);
        expect(created).toEqual({ ...data.transfer, fallbackCount: 0, state: 'INIT', when: expect.any(String) });
        expect(new Date(created!.when).toISOString()).toBe(created!.when);
      },
    ],
    [
      'uploads 12,000 documents in sub-batches of 5000',
      async () => {
        const results = [];
        for (let start = 0; start < documents.length; start += SUB_BATCH) {
          const { data: result, response } = await client.POST('/tracking/sms_documents', {
            body: { UBID, documents: documents.slice(start, start + SUB_BATCH) },
          });
          expect(response.status).toBe(201);
          results.push(result);
        }

        expect(results).toEqual(data.uploads);
      },
    ],
    [
      'counts the documents',
      async () => {
        const { data: counted } = await client.GET('/tracking/sms_documents/{ubid}', { params: { path } });

        expect(counted).toEqual(data.counted);
      },
    ],
    [
      'moves the documents and the transfer to SENT, and reads the transfer',
      async () => {
        const { data: documentsSent } = await client.PUT('/tracking/sms_documents/{ubid}/{state}', {
          params: { path: { ...path, state: 'SENT' } },
        });
        const { data: transferSent } = await client.PUT('/tracking/sms_transfers/{ubid}/{state}', {
          params: { path: { ...path, state: 'SENT' } },
        });
        const { data: read } = await client.GET('/tracking/sms_transfers/{ubid}', { params: { path } });

        expect(documentsSent).toEqual(data.documentsSent);
        expect(transferSent).toEqual({ ...data.transfer, fallbackCount: 0, state: 'SENT', when: expect.any(String) });
        expect(read).toEqual(transferSent);
        sent = read!;
      },
    ],
    [
      'records delivery receipts in sub-batches and reads the progress summary',
      async () => {
        const delivered = documents.slice(0, DELIVERED).map(({ uniqueId }) => uniqueId);
        const results: ReceiptsResult[] = [];
        for (let start = 0; start < delivered.length; start += SUB_BATCH) {
          const uniqueIds = [...delivered.slice(start, start + SUB_BATCH), ...(start > 0 ? ['nope-1', 'nope-2'] : [])];
          const { data: result } = await client.POST('/tracking/sms_documents/{ubid}/receipts', {
            params: { path },
            body: { state: 'DONE', uniqueIds },
          });
          results.push(result!);
        }
        const { data: summary } = await client.GET('/tracking/sms_documents/{ubid}/summary', { params: { path } });

        expect(results).toEqual([
          { UBID, state: 'DONE', changed: 5000, unchanged: 0, unknown: [] },
          { UBID, state: 'DONE', changed: DELIVERED - 5000, unchanged: 0, unknown: ['nope-1', 'nope-2'] },
        ]);
        const progress: DocumentsSummary | undefined = summary;
        expect(progress).toEqual({ UBID, total: 12000, INIT: 0, SENT: 12000 - DELIVERED, DONE: DELIVERED, lastChange: expect.any(String) });
      },
    ],
    [
      'answers 409, typed, to a receipt that would move a delivered document back',
      async () => {
        const { error, response } = await client.POST('/tracking/sms_documents/{ubid}/receipts', {
          params: { path },
          body: { state: 'SENT', uniqueIds: [documents[DELIVERED].uniqueId, documents[0].uniqueId] },
        });

        expect(response.status).toBe(409);
        expect(error).toEqual(data.receiptBackwards);
      },
    ],
    [
      'lists the documents still SENT a page at a time to the end, and reads one with its data',
      async () => {
        const pages: DocumentPage[] = [];
        let after: string | undefined;
        do {
          const { data: page } = await client.GET('/tracking/sms_documents/{ubid}/documents', {
            params: { path, query: { state: 'SENT', limit: 1000, after } },
          });
          pages.push(page!);
          after = page!.next ?? undefined;
        } while (after !== undefined);
        const { data: one } = await client.GET('/tracking/sms_documents/{ubid}/documents/{uniqueId}', {
          params: { path: { ...path, uniqueId: documents[7].uniqueId } },
        });

        expect(pages.map((page) => page.items.length)).toEqual([1000, 1000, 1000]);
        expect(pages.flatMap((page) => page.items.map((item) => item.uniqueId))).toEqual(
          documents.slice(DELIVERED).map(({ uniqueId }) => uniqueId),
        );
        const stored: StoredDocument | undefined = one;
        expect(stored).toEqual({
          ...documents[7],
          UBID,
          state: 'DONE',
          when: expect.any(String),
          gateway: null,
          messageId: null,
          outcome: null,
          errorCode: null,
          doneAt: null,
        });
      },
    ],
    [
      'exports the documents DONE as text, CSV with a header row',
      async () => {
        const { data: csv, response } = await client.GET('/tracking/sms_documents/{ubid}/export', {
          params: { path, query: { state: 'DONE', format: 'csv' } },
          parseAs: 'text',
        });

        expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
        const records = csv!.split('\r\n');
        expect(records[0]).toBe('UBID,uniqueId,state,SMScount,when,data');
        expect(records.slice(1, -1).map((record) => record.split(',')[1])).toEqual(
          documents.slice(0, DELIVERED).map(({ uniqueId }) => uniqueId),
        );
      },
    ],
    [
      'computes the fallback from the documents not DONE, and sets it explicitly',
      async () => {
        const { data: computed } = await client.POST('/tracking/sms_transfers/{ubid}/fallback', { params: { path } });
        const { data: set } = await client.PUT('/tracking/sms_transfers/{ubid}/fallback', {
          params: { path },
          body: { fallbackCount: 42 },
        });

        expect(computed).toEqual({ ...sent, fallbackCount: 12000 - DELIVERED, when: expect.any(String) });
        expect(set).toEqual({ ...sent, fallbackCount: 42, when: expect.any(String) });
        sent = set!;
      },
    ],
    [
      'lists the transfers a page at a time, with the total in X-Total-Count',
      async () => {
        for (const transfer of data.otherTransfers) {
          await client.POST('/tracking/sms_transfers', { body: transfer });
        }
        const list = (query: { limit?: number; offset?: number; state?: TrackingState }) =>
          client.GET('/tracking/sms_transfers', { params: { query } });

        const all = await list({});
        const first = await list({ limit: 2, offset: 0 });
        const second = await list({ limit: 2, offset: 2 });
        const onlySent = await list({ state: 'SENT' });

        expect(all.data!.map((transfer) => transfer.UBID).sort()).toEqual(
          [UBID, ...data.otherTransfers.map((transfer) => transfer.UBID)].sort(),
        );
        expect([first.data!.length, second.data!.length]).toEqual([2, 1]);
        expect([...first.data!, ...second.data!]).toEqual(all.data);
        expect([all, first, second].map(({ response }) => response.headers.get('X-Total-Count'))).toEqual(['3', '3', '3']);
        expect(onlySent.data).toEqual([sent]);
        expect(onlySent.response.headers.get('X-Total-Count')).toBe('1');
      },
    ],
    [
      'purges what has not changed since a time, typed: nothing here is an hour old',
      async () => {
        const anHourAgo = new Date(Date.now() - 3_600_000).toISOString();
        const { data: nothing } = await client.DELETE('/tracking/sms_transfers', {
          params: { query: { before: anHourAgo, state: 'DONE' } },
        });
        const { error, response } = await client.DELETE('/tracking/sms_transfers', { params: { query: { before: 'yesterday' } } });

        expect(nothing).toEqual({ transfers: 0, documents: 0 });
        expect(response.status).toBe(422);
        expect(error?.detail).toEqual([
          { loc: ['query', 'before'], msg: 'before must be a valid ISO 8601 date string', type: 'isIso8601' },
        ]);
      },
    ],
    [
      'deletes the transfer and, with it, its documents',
      async () => {
        const { response, data: nothing } = await client.DELETE('/tracking/sms_transfers/{ubid}', { params: { path } });
        expect(response.status).toBe(204);
        expect(nothing).toBeUndefined();

        const transfer = await client.GET('/tracking/sms_transfers/{ubid}', { params: { path } });
        const counted = await client.GET('/tracking/sms_documents/{ubid}', { params: { path } });
        const upload = await client.POST('/tracking/sms_documents', { body: { UBID, documents: documents.slice(0, 1) } });

        expect([transfer, counted, upload].map(({ data: body, response: { status } }) => ({ body, status }))).toEqual([
          { body: undefined, status: 404 },
          { body: undefined, status: 404 },
          { body: undefined, status: 422 },
        ]);
        expect(transfer.error).toEqual(data.transferNotFound);
        expect(counted.error).toEqual(data.documentsNotFound);
        expect(upload.error).toEqual(data.unknownTransferUpload);
      },
    ],
  ];

  // One test rather than one per step, so that it holds whatever order jest runs tests in (--randomize).
  // A failure's stack points into its step.
  it('takes a transfer through its whole life cycle', async () => {
    for (const [, step] of lifeCycle) await step();
  });

  it('answers 422 with the rejected fields, typed', async () => {
    const badUbid = await client.GET('/tracking/sms_transfers/{ubid}', { params: { path: { ubid: 'batch-1' } } });
    const badState = await client.PUT('/tracking/sms_transfers/{ubid}/{state}', {
      // @ts-expect-error 'sent' is not a TrackingState: the client refuses it at compile time, the service at run time.
      params: { path: { ...path, state: 'sent' } },
    });

    expect(badUbid.response.status).toBe(422);
    expect(badUbid.error).toEqual(data.badUbid);
    expect(badState.error).toEqual(data.badState);
    const fieldErrors = badUbid.error?.detail;
    expect(Array.isArray(fieldErrors) && fieldErrors.map(({ loc, msg, type }) => `${loc.join('.')}: ${msg} (${type})`)).toEqual([
      'path.ubid: ubid must be a UUID (isUuid)',
    ]);
  });
});
