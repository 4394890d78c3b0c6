import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { load, LoadOptions } from '../src/loader/cli';
import { RequestRefusedError } from '../src/loader/tracking-client';
import { startTestServer, TestServer } from './helpers/test-app';

/** The loader against the real service on a SQLite file, over real HTTP on 127.0.0.1. */
describe('tracking-load against the service (e2e)', () => {
  let server: TestServer;
  let url: string;
  let sql: DataSource['query'];
  const log: string[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    url = server.url;
    const dataSource = server.app.get(DataSource);
    sql = dataSource.query.bind(dataSource);
  });
  afterAll(() => server.close());

  const options = (overrides: Partial<LoadOptions>): LoadOptions => ({
    url,
    ubid: '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10',
    batchSize: 5000,
    concurrency: 4,
    retries: 2,
    timeoutMs: 60_000,
    ...overrides,
  });
  const stored = async (ubid: string) =>
    (await sql(`SELECT COUNT(*) AS n, SUM("SMScount") AS sms FROM "sms_documents" WHERE "UBID" = ?`, [ubid]))[0];

  it('creates the transfer and uploads generated documents in sub-batches', async () => {
    const summary = await load(options({ count: 12_001 }), (line) => log.push(line));

    expect(summary).toMatchObject({ ubid: '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10', documents: 12_001, subBatches: 3 });
    expect(await stored(summary.ubid)).toEqual({ n: 12_001, sms: 24_001 });
    const [transfer] = await sql(`SELECT "documents", "SMScount", "state" FROM "sms_transfers" WHERE "UBID" = ?`, [summary.ubid]);
    expect(transfer).toEqual({ documents: 12_001, SMScount: 24_001, state: 'INIT' });
    expect(log).toContain(`Transfer ${summary.ubid}: uploading 12001 documents to ${url}`);
  });

  it('uploads a file, with its data as written', async () => {
    const file = join(server.folder, 'documents.ndjson');
    const lines = Array.from({ length: 7 }, (_, index) => JSON.stringify({ uniqueId: `f${index}`, SMScount: 1, data: { index, text: 'Grüße' } }));
    writeFileSync(file, lines.join('\n'));
    const ubid = '1b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

    const summary = await load(options({ ubid, file, batchSize: 3, concurrency: 2 }), (line) => log.push(line));

    expect(summary).toMatchObject({ documents: 7, subBatches: 3 });
    const rows = await sql(`SELECT "data" FROM "sms_documents" WHERE "UBID" = ? ORDER BY "uniqueId"`, [ubid]);
    expect(rows.map((row: { data: string }) => JSON.parse(row.data))).toEqual(Array.from({ length: 7 }, (_, index) => ({ index, text: 'Grüße' })));
  });

  it('stops on a refusal with the service’s detail, uploading nothing', async () => {
    const failure = load(options({ ubid: 'batch-1', count: 10 }), (line) => log.push(line));

    await expect(failure).rejects.toBeInstanceOf(RequestRefusedError);
    await expect(failure).rejects.toThrow('the service answered 422: [{"loc":["body","UBID"],"msg":"UBID must be a UUID","type":"isUuid"}]');
  });
});
