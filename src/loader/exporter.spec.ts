import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { exportToFile } from './exporter';
import { LoaderApiClient } from './loader-api-client';
import { DEFAULT_RETRY } from './retry';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const NO_RETRY = { ...DEFAULT_RETRY, attempts: 1 };

/** A stand-in service on 127.0.0.1 that answers the export as each test says. */
describe('exportToFile', () => {
  let server: Server;
  let folder: string;
  let client: LoaderApiClient;
  let answer: (res: ServerResponse, url: string) => void;

  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'tracking-export-'));
    server = createServer((req, res) => answer(res, req.url!));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new LoaderApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, undefined, 5000);
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(folder, { recursive: true, force: true });
  });

  it('asks for the format and state, and writes the body to the file as it comes', async () => {
    let asked = '';
    answer = (res, url) => {
      asked = url;
      res.writeHead(200, { 'Content-Type': 'text/csv' });
      res.write('UBID,uniqueId\r\n');
      setTimeout(() => res.end(`${UBID},1\r\n`), 20);
    };
    const output = join(folder, 'b.csv');

    const summary = await exportToFile(client, { ubid: UBID, format: 'csv', state: 'DONE', output }, NO_RETRY);

    expect(asked).toBe(`/tracking/sms_documents/${UBID}/export?format=csv&state=DONE`);
    expect(readFileSync(output, 'utf8')).toBe(`UBID,uniqueId\r\n${UBID},1\r\n`);
    expect(summary.bytes).toBe(55);
  });

  it('leaves no file behind when the body breaks off', async () => {
    answer = (res) => {
      res.writeHead(200, { 'Content-Type': 'application/x-ndjson' });
      res.write('{"uniqueId":"1"}\n');
      setTimeout(() => res.destroy(), 20);
    };
    const output = join(folder, 'b.ndjson');

    const failure = await exportToFile(client, { ubid: UBID, format: 'ndjson', output }, NO_RETRY).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(Error);
    // The stream's own error stays attached as the cause, for a stack trace that shows where it broke.
    const { cause } = failure as Error & { cause?: { message: string } };
    expect((failure as Error).message).toBe(`the export of ${UBID} broke off: ${cause?.message}`);
    expect(cause?.message).toEqual(expect.any(String));
    expect(existsSync(output)).toBe(false);
  });
});
