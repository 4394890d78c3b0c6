import { AddressInfo } from 'node:net';

import { INestApplication } from '@nestjs/common';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import request from 'supertest';

import { ExportedSmsDocument } from '../src/sms-document/domain/sms-document';
import { EXAMPLE_UBID } from '../src/tracking/decorators';
import { TrackingState } from '../src/tracking/tracking-state';
import { createTestApp } from '../tools/app-in-process';
import { storedTransfer } from './helpers/documents';
import { mockedRepositories, mockSmsDocumentRepository, mockSmsTransferRepository } from './helpers/mocks';

const EXPORT = `/tracking/sms_documents/${EXAMPLE_UBID}/export`;
const BUSY = {
  statusCode: 503,
  detail: 'The service is busy: 2 export(s) are running, as many as MAX_CONCURRENT_EXPORTS allows. Retry later.',
};
const TRANSFER = storedTransfer(EXAMPLE_UBID);
const DOCUMENT: ExportedSmsDocument = {
  UBID: EXAMPLE_UBID,
  uniqueId: 'a',
  state: TrackingState.INIT,
  SMScount: 1,
  when: new Date(0),
  data: {},
};

/** A page read that waits until the test answers it. */
interface HeldPage {
  resolve(page: { items: ExportedSmsDocument[]; next: string | null }): void;
  reject(error: Error): void;
}

/**
 * MAX_CONCURRENT_EXPORTS=2. The repositories are mocks: each export's page reads are held until the
 * test answers them, so that exports are in flight exactly as long as the test says.
 */
describe('concurrent exports (e2e, mocked repositories)', () => {
  let app: INestApplication;
  let baseUrl: string;
  const transfers = mockSmsTransferRepository();
  const documents = mockSmsDocumentRepository();
  const held: HeldPage[] = [];
  /** Resolves when the page reads held reach `count`. */
  let heldReaches: { count: number; reached: () => void } | undefined;
  const pagesHeld = (count: number) =>
    new Promise<void>((reached) => {
      if (held.length >= count) return reached();
      heldReaches = { count, reached };
    });

  beforeAll(async () => {
    app = await createTestApp(mockedRepositories(transfers, documents), 'sqlite::memory:', { MAX_CONCURRENT_EXPORTS: '2' });
    await app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app.close());

  beforeEach(() => {
    jest.resetAllMocks();
    held.length = 0;
    transfers.findByUbid.mockResolvedValue(TRANSFER);
    documents.findPageWithData.mockImplementation(
      () =>
        new Promise((resolve, reject) => {
          held.push({ resolve, reject });
          if (heldReaches && held.length >= heldReaches.count) heldReaches.reached();
        }),
    );
  });

  const http = () => request(app.getHttpServer());
  /** Starts an export over a connection of its own; its answer comes once its pages are answered. */
  const startExport = (signal?: AbortSignal) =>
    fetch(`${baseUrl}${EXPORT}`, { signal }).then(async (response) => ({ status: response.status, body: await response.text() }));
  const running = async () => {
    const families = parsePrometheusTextFormat((await http().get('/metrics').expect(200)).text);
    return Number(families.find(({ name }) => name === 'tracking_exports_running')!.metrics[0].value);
  };
  /** Waits for the service to have seen an answer end: the slot is given back when the server side closes. */
  const untilRunning = async (count: number) => {
    while ((await running()) !== count) await new Promise((resolve) => setImmediate(resolve));
  };

  it('refuses an export beyond the limit with 503 and Retry-After, before reading anything, and takes the next once one has finished', async () => {
    const first = startExport();
    const second = startExport();
    await pagesHeld(2);

    const refused = await http().get(EXPORT).expect(503, BUSY);

    expect(refused.headers['retry-after']).toBe('5');
    expect(transfers.findByUbid).toHaveBeenCalledTimes(2);
    expect(documents.findPageWithData).toHaveBeenCalledTimes(2);
    expect(await running()).toBe(2);

    held[0].resolve({ items: [DOCUMENT], next: null });
    expect(await first).toEqual({ status: 200, body: `${JSON.stringify(DOCUMENT)}\n` });
    await untilRunning(1);
    const third = startExport();
    await pagesHeld(3);
    held[1].resolve({ items: [], next: null });
    held[2].resolve({ items: [], next: null });
    expect([await second, await third]).toEqual([
      { status: 200, body: '' },
      { status: 200, body: '' },
    ]);
    await untilRunning(0);
  });

  it('gives the slot back when the client goes away while its first page is read', async () => {
    const abandoned = new AbortController();
    const gone = startExport(abandoned.signal).catch((error: Error) => error.name);
    const waiting = startExport();
    await pagesHeld(2);

    abandoned.abort();
    expect(await gone).toBe('AbortError');
    await untilRunning(1);
    const next = startExport();
    await pagesHeld(3);

    held[0].resolve({ items: [DOCUMENT], next: null });
    held[1].resolve({ items: [], next: null });
    held[2].resolve({ items: [], next: null });
    expect([await waiting, await next]).toEqual([
      { status: 200, body: '' },
      { status: 200, body: '' },
    ]);
    await untilRunning(0);
  });

  it('gives the slot back when the export fails after its first bytes, and when it is refused with 404 or 422', async () => {
    const failing = startExport().catch((error: Error) => error.message);
    await pagesHeld(1);
    held[0].resolve({ items: [DOCUMENT], next: 'a' });
    await pagesHeld(2);
    held[1].reject(new Error('the database went away mid-export'));
    expect(await failing).toBe('terminated');
    await untilRunning(0);

    transfers.findByUbid.mockResolvedValue(null);
    await http().get(EXPORT).expect(404);
    await http().get(`${EXPORT}?format=xml`).expect(422);
    await untilRunning(0);
    transfers.findByUbid.mockResolvedValue(TRANSFER);
    const [one, two] = [startExport(), startExport()];
    await pagesHeld(4);
    held[2].resolve({ items: [], next: null });
    held[3].resolve({ items: [], next: null });
    expect((await Promise.all([one, two])).map(({ status }) => status)).toEqual([200, 200]);
  });
});
