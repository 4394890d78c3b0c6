import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

import { LoaderApiClient, RequestRefusedError, retryAfterMs, TransientError } from './loader-api-client';
import { withRetry } from './retry';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/**
 * A stand-in for the service on 127.0.0.1: it records what the client sends and answers what the
 * test tells it to, so that every status and header the client must handle can be produced.
 */
class FakeService {
  readonly received: Received[] = [];
  readonly answers: ((res: ServerResponse) => void)[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => (text += chunk));
      req.on('end', () => {
        this.received.push({ method: req.method!, url: req.url!, headers: req.headers, body: text ? JSON.parse(text) : undefined });
        const answer = this.answers.shift();
        if (answer) answer(res);
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  answer(status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.answers.push((res) => res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body)));
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
// A client without its timeout would wait for ever for the service that never answers: such a test
// fails after 10 s rather than Jest's 30 (the client gives up after 0.2 s).
const NEVER_ANSWERED_TIMEOUT_MS = 10_000;
const TRANSFER = { UBID, SMScount: 2, documents: 2, fileName: 'f.json', origName: 'f.csv' };
const DOCUMENTS = [{ uniqueId: '1', SMScount: 1, data: { text: 'hi' } }];

describe('LoaderApiClient', () => {
  let service: FakeService;
  let url: string;

  beforeEach(async () => {
    service = new FakeService();
    url = await service.start();
  });
  afterEach(() => service.stop());

  it('posts the transfer and the documents as JSON, under the path of the base URL, with the API key', async () => {
    service.answer(201, TRANSFER);
    service.answer(201, { result: 'Inserted 1 document(s)', count: 1 });
    const client = new LoaderApiClient(`${url}/behind/a/proxy`, 'secret-key-0123456789');

    await client.createTransfer(TRANSFER);
    await expect(client.upsertDocuments(UBID, DOCUMENTS)).resolves.toBe(1);

    expect(service.received.map(({ method, url: path, body }) => [method, path, body])).toEqual([
      ['POST', '/behind/a/proxy/tracking/sms_transfers', TRANSFER],
      ['POST', '/behind/a/proxy/tracking/sms_documents', { UBID, documents: DOCUMENTS }],
    ]);
    expect(service.received.map(({ headers }) => [headers.authorization, headers['content-type']])).toEqual([
      ['Bearer secret-key-0123456789', 'application/json'],
      ['Bearer secret-key-0123456789', 'application/json'],
    ]);
  });

  it('sends no Authorization header without a key', async () => {
    service.answer(201, TRANSFER);

    await new LoaderApiClient(url).createTransfer(TRANSFER);

    expect(service.received[0].headers.authorization).toBeUndefined();
  });

  it.each([
    [503, { detail: 'Database unavailable: the database server cannot be reached. Retry later.' }, { 'Retry-After': '5' }, 5000],
    [503, { detail: 'The service is busy' }, { 'Retry-After': 'Wed, 21 Oct 2099 07:28:00 GMT' }, expect.any(Number)],
    [500, { detail: 'Internal server error' }, {}, undefined],
    [502, '<html>Bad Gateway</html>', {}, undefined],
    [429, { detail: 'Too many requests' }, { 'Retry-After': '2' }, 2000],
  ])('sorts %s as worth retrying, with the wait the service asked for', async (status, body, headers, waitMs) => {
    service.answer(status, body, headers);

    const failure = await new LoaderApiClient(url).upsertDocuments(UBID, DOCUMENTS).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TransientError);
    expect(failure).toMatchObject({ retryAfterMs: waitMs });
    const detail = (body as { detail?: string }).detail;
    expect((failure as Error).message).toBe(`the service answered ${status}${detail ? `: ${detail}` : ''}`);
  });

  it.each([
    [422, { detail: [{ loc: ['body', 'UBID'], msg: 'UBID must be a UUID', type: 'value_error' }] }],
    [401, { detail: 'Invalid API key' }],
    [404, { detail: "UBID '…' is not found in table tracking.sms_transfers" }],
    [413, { detail: 'Request body is larger than the 16 MiB limit' }],
  ])('sorts %s as refused, with the service’s detail, so that it is not sent again', async (status, body) => {
    service.answer(status, body);

    const failure = await new LoaderApiClient(url).upsertDocuments(UBID, DOCUMENTS).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(RequestRefusedError);
    expect(failure).toMatchObject({ status, detail: body.detail });
  });

  it('sorts a service it cannot reach as worth retrying', async () => {
    await service.stop();

    const failure = await new LoaderApiClient(url).createTransfer(TRANSFER).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toBe(`cannot reach ${url}: ECONNREFUSED`);
  });

  it.each<[string, (client: LoaderApiClient) => Promise<unknown>]>([
    ['a request', (client) => client.createTransfer(TRANSFER)],
    ['an export', (client) => client.exportDocuments(UBID, { format: 'ndjson' })],
  ])(
    'gives up on %s without an answer after its timeout, as worth retrying',
    async (_call, call) => {
      service.answers.push(() => undefined);

      const failure = await call(new LoaderApiClient(url, undefined, 200)).catch((error: unknown) => error);

      expect(failure).toBeInstanceOf(TransientError);
      expect((failure as Error).message).toBe(`no answer from ${url} within 0.2 s`);
    },
    NEVER_ANSWERED_TIMEOUT_MS,
  );

  it('lets an export that has begun take longer than the timeout to arrive', async () => {
    service.answers.push((res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' }).write('{"uniqueId":"1"}\n');
      setTimeout(() => res.end('{"uniqueId":"2"}\n'), 400);
    });

    const body = await new LoaderApiClient(url, undefined, 200).exportDocuments(UBID, { format: 'ndjson' });

    expect(await new Response(body).text()).toBe('{"uniqueId":"1"}\n{"uniqueId":"2"}\n');
    expect(service.received[0]).toMatchObject({ method: 'GET', url: `/tracking/sms_documents/${UBID}/export?format=ndjson` });
  });

  it('waits as long as a busy service asks, then succeeds (as the loader retries)', async () => {
    service.answer(503, { detail: 'The service is busy' }, { 'Retry-After': '1' });
    service.answer(201, { result: 'Inserted 1 document(s)', count: 1 });
    const waits: number[] = [];
    const client = new LoaderApiClient(url);

    const stored = await withRetry(() => client.upsertDocuments(UBID, DOCUMENTS), {
      attempts: 3,
      baseDelayMs: 10,
      maxDelayMs: 100,
      onRetry: (_error, _attempt, delayMs) => waits.push(delayMs),
    });

    expect(stored).toBe(1);
    expect(service.received).toHaveLength(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-29T12:00:00Z');

  it.each([
    ['5', 5000],
    ['12', 12_000],
    [' 0 ', 0],
    ['Sun, 29 Nov 2026 12:00:30 GMT', 30_000],
    ['Sun, 29 Nov 2026 11:59:00 GMT', 0],
    [null, undefined],
    ['soon', undefined],
    ['-3', undefined],
    ['1.5', undefined],
    ['5s', undefined],
  ])('reads %p as %p ms', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});
