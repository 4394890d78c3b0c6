import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { DataSource } from 'typeorm';

import { PROJECT_ROOT } from '../src/core/project-root';
import { exportDocuments, ExportOptions, load, LoadOptions, main, submitMessages, USAGE } from '../src/loader/command';
import { RequestRefusedError } from '../src/loader/loader-api-client';
import { startTestServer, TestServer } from './helpers/test-app';
import { unreachableUrl } from './helpers/unreachable-url';

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

  it('uploads a file, with its data as written, its name cut to what the transfer holds, its progress shown', async () => {
    const name = `${'campaign-'.repeat(7)}.ndjson`;
    const file = join(server.folder, name);
    const lines = Array.from({ length: 7 }, (_, index) =>
      JSON.stringify({ uniqueId: `f${index}`, SMScount: 1, data: { index, text: 'Grüße' } }),
    );
    writeFileSync(file, lines.join('\n'));
    const ubid = '1b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
    const progress = { total: 0, advanced: 0, stopped: 0 };
    const recordProgress = (total: number) => {
      progress.total = total;
      return { advance: (documents: number) => void (progress.advanced += documents), stop: () => void (progress.stopped += 1) };
    };

    const before = Date.now();
    const summary = await load(options({ ubid, file, batchSize: 3, concurrency: 2 }), (line) => log.push(line), recordProgress);
    const elapsedSeconds = (Date.now() - before) / 1000;

    expect(summary).toMatchObject({ documents: 7, subBatches: 3 });
    expect(summary.seconds).toBeGreaterThanOrEqual(0);
    expect(summary.seconds).toBeLessThanOrEqual(elapsedSeconds);
    expect(progress).toEqual({ total: 7, advanced: 7, stopped: 1 });
    const rows = await sql(`SELECT "data" FROM "sms_documents" WHERE "UBID" = ? ORDER BY "uniqueId"`, [ubid]);
    expect(rows.map((row: { data: string }) => JSON.parse(row.data))).toEqual(
      Array.from({ length: 7 }, (_, index) => ({ index, text: 'Grüße' })),
    );
    const [transfer] = await sql(`SELECT "fileName", "origName" FROM "sms_transfers" WHERE "UBID" = ?`, [ubid]);
    expect(transfer).toEqual({ fileName: name.slice(0, 55), origName: name.slice(0, 50) });
  });

  it('stops on a refusal with the service’s detail, uploading nothing', async () => {
    const failure = load(options({ ubid: 'batch-1', count: 10 }), (line) => log.push(line));

    await expect(failure).rejects.toBeInstanceOf(RequestRefusedError);
    await expect(failure).rejects.toThrow(
      'the service answered 422: [{"loc":["body","UBID"],"msg":"UBID must be a UUID","type":"isUuid"}]',
    );
  });

  it('submits the message ids of a file in sub-batches: the documents get them and move to SENT', async () => {
    const ubid = '3b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
    await load(options({ ubid, count: 3 }), () => undefined);
    const file = join(server.folder, 'ids.csv');
    writeFileSync(file, 'uniqueId,messageId\n0000000001,JAS-1\n0000000002,JAS-2\n0000000099,JAS-99\n');

    const summary = await submitMessages({ ...options({ ubid, batchSize: 2 }), gateway: 'jasmin', submissions: file }, () => undefined);

    expect(summary).toMatchObject({ ubid, gateway: 'jasmin', changed: 2, unchanged: 0, unknown: ['0000000099'], receiptsApplied: 0 });
    expect(
      await sql(`SELECT "uniqueId", "state", "gateway", "messageId" FROM "sms_documents" WHERE "UBID" = ? ORDER BY "uniqueId"`, [ubid]),
    ).toEqual([
      { uniqueId: '0000000000', state: 'INIT', gateway: null, messageId: null },
      { uniqueId: '0000000001', state: 'SENT', gateway: 'jasmin', messageId: 'JAS-1' },
      { uniqueId: '0000000002', state: 'SENT', gateway: 'jasmin', messageId: 'JAS-2' },
    ]);
  });

  describe('--export', () => {
    const ubid = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
    const exportOptions = (overrides: Partial<ExportOptions>): ExportOptions => ({
      url,
      retries: 2,
      timeoutMs: 60_000,
      ubid,
      format: 'ndjson',
      output: join(server.folder, 'export.ndjson'),
      ...overrides,
    });

    // The 12,001 generated documents of the first test: 13 pages of the export.
    it('writes every document with its data, in uniqueId order, as NDJSON', async () => {
      const summary = await exportDocuments(exportOptions({}), (line) => log.push(line));

      const lines = readFileSync(join(server.folder, 'export.ndjson'), 'utf8').split('\n');
      expect(lines.pop()).toBe('');
      const documents = lines.map((line) => JSON.parse(line) as { UBID: string; uniqueId: string; data: unknown });
      expect(documents).toHaveLength(12_001);
      expect(documents.every((document, index) => index === 0 || documents[index - 1].uniqueId < document.uniqueId)).toBe(true);
      expect(documents[0]).toMatchObject({ UBID: ubid, state: 'INIT', data: expect.any(Object) });
      expect(summary.bytes).toBe(Buffer.byteLength(lines.join('\n')) + 1);
    });

    it('writes the documents in one state as CSV', async () => {
      await sql(`UPDATE "sms_documents" SET "state" = 'DONE' WHERE "UBID" = ? AND "uniqueId" < ?`, [ubid, '0000000003']);
      const output = join(server.folder, 'export.csv');

      await exportDocuments(exportOptions({ format: 'csv', state: 'DONE', output }), (line) => log.push(line));

      const records = readFileSync(output, 'utf8').split('\r\n');
      expect(records[0]).toBe('UBID,uniqueId,state,SMScount,when,data');
      expect(records.slice(1, -1).map((record) => record.split(',').slice(1, 3))).toEqual([
        ['0000000000', 'DONE'],
        ['0000000001', 'DONE'],
        ['0000000002', 'DONE'],
      ]);
    });

    it('writes no file for an unknown transfer, and says why', async () => {
      const output = join(server.folder, 'unknown.ndjson');
      const unknown = '6f1c9a52-2d7e-4c1b-8d3a-000000000000';

      await expect(exportDocuments(exportOptions({ ubid: unknown, output }), (line) => log.push(line))).rejects.toThrow(
        `the service answered 404: UBID '${unknown}' is not found in table tracking.sms_transfers`,
      );
      expect(existsSync(output)).toBe(false);
    });
  });

  describe('the command line: main()', () => {
    let stdout: string;
    let stderr: string;
    /** A port on 127.0.0.1 that was free a moment ago: nothing listens there, so connecting is refused at once. */
    let unreachable: string;

    beforeAll(async () => {
      unreachable = await unreachableUrl();
    });

    // main() writes to the process's own streams; the spies record what it writes, and keep it out of the test report.
    beforeEach(() => {
      stdout = '';
      stderr = '';
      jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
      jest.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
    });
    afterEach(() => jest.restoreAllMocks());

    it('uploads, prints the summary on stdout and the progress on stderr, and returns 0', async () => {
      const ubid = '2b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

      expect(await main(['--url', url, '--ubid', ubid, '--batch-size', '1000', '2500'])).toBe(0);

      expect(stdout).toMatch(
        new RegExp(`^Uploaded 2500 documents in 3 sub-batches to transfer ${ubid} in \\d+\\.\\d s \\(\\d+ docs/s\\)\n$`),
      );
      expect(stderr.split('\n')[0]).toBe(`Transfer ${ubid}: uploading 2500 documents to ${url}`);
      expect(await stored(ubid)).toEqual({ n: 2500, sms: 4999 });
    });

    it('exports, prints the summary on stdout, and returns 0', async () => {
      const ubid = '2b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
      const output = join(server.folder, 'main-export.csv');

      expect(await main(['--url', url, '--export', ubid, '--format', 'csv', '--output', output])).toBe(0);

      const bytes = readFileSync(output).length;
      expect(stdout).toMatch(
        new RegExp(`^Exported ${bytes} bytes of transfer ${ubid} to ${output} in \\d+\\.\\d s \\(\\d+\\.\\d MB/s\\)\n$`),
      );
      expect(stderr).toBe(`Transfer ${ubid}: exporting its documents from ${url} to ${output}\n`);
    });

    it('prints the usage on --help and returns 0', async () => {
      expect(await main(['--help'])).toBe(0);

      expect({ stdout, stderr }).toEqual({ stdout: `${USAGE}\n`, stderr: '' });
    });

    it.each([
      [['--batch-size', '0', '10'], "--batch-size must be a whole number from 1 to 5000, not '0'"],
      [[], 'how many documents? give <count> or --file'],
    ])('returns 2 for a usage error %j, with the message and the usage on stderr', async (argv, message) => {
      expect(await main(argv)).toBe(2);

      expect({ stdout, stderr }).toEqual({ stdout: '', stderr: `${message}\n\n${USAGE}\n` });
    });

    it('returns 2 for a file without documents, before sending anything', async () => {
      const file = join(server.folder, 'empty.ndjson');
      writeFileSync(file, '\n\n');

      expect(await main(['--url', unreachable, '--file', file])).toBe(2);

      expect({ stdout, stderr }).toEqual({ stdout: '', stderr: `${file} holds no documents\n\n${USAGE}\n` });
    });

    it.each([
      [
        'the service’s refusal',
        () => ['--url', url, '--ubid', 'batch-1', '10'],
        () => 'tracking-load: the service answered 422: [{"loc":["body","UBID"],"msg":"UBID must be a UUID","type":"isUuid"}]\n',
      ],
      [
        'a service that cannot be reached',
        () => ['--url', unreachable, '--retries', '0', '10'],
        () => `tracking-load: cannot reach ${unreachable}: ECONNREFUSED\n`,
      ],
    ])('returns 1 on %s, with one line on stderr', async (_name, argv, line) => {
      expect(await main(argv())).toBe(1);

      expect({ stdout, stderr }).toEqual({ stdout: '', stderr: line() });
    });
  });

  it('runs as the built tracking-load command, whose exit code is what main() returns', async () => {
    const run = (...argv: string[]) =>
      new Promise<{ code: number; stdout: string }>((resolve) =>
        execFile(process.execPath, [join(PROJECT_ROOT, 'dist', 'loader', 'cli.js'), ...argv], (error, stdout) =>
          resolve({ code: error ? (error.code as number) : 0, stdout }),
        ),
      );
    const ubid = '3b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

    const uploaded = await run('--url', url, '--ubid', ubid, '7');
    const misused = await run('--url', url, '--batch-size', '0', '7');

    expect(uploaded).toEqual({
      code: 0,
      stdout: expect.stringMatching(new RegExp(`^Uploaded 7 documents in 1 sub-batches to transfer ${ubid} in `)),
    });
    expect(misused).toEqual({ code: 2, stdout: '' });
    expect(await stored(ubid)).toEqual({ n: 7, sms: 13 });
  });
});
