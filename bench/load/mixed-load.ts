import { randomUUID } from 'node:crypto';
import { cpus, loadavg, totalmem } from 'node:os';

import autocannon from 'autocannon';

import { redactPassword } from '../../src/core/config/database-url';
import { BuiltService } from '../built-service';
import { engineVersion } from './engine';
import { count, ms, percentile, printTable } from './report';
import { DOCUMENTS_PER_UPLOAD_TRANSFER, documentsJson, transferBody, UploadBodies, uploadBody } from './upload-bodies';

/** The transfers that counts, state updates and reads work on, each with a batch of a fixed size. */
const STEADY_TRANSFERS = 4;
const STEADY_DOCUMENTS = 5000;
/**
 * Above what either engine ingests here (SQLite's raw limit is ≈ 200,000 docs/s), so that every
 * upload inserts new documents rather than overwriting ones already sent.
 */
const FRESH_DOCUMENTS_PER_SECOND = 250_000;
/** A page of the listing as a dashboard asks for it. */
const LISTING = '/tracking/sms_transfers?limit=100&offset=0&state=INIT';

export interface MixedLoadOptions {
  databaseUrl: string;
  duration: number;
  connections: number;
  subBatch: number;
  only?: string;
}

/** Round robin over the steady transfers, one counter per route, so that each route visits all of them. */
function roundRobin(ubids: string[]): () => string {
  let next = 0;
  return () => ubids[next++ % ubids.length];
}

interface Kind {
  name: string;
  requests: autocannon.Request[];
  /** Documents sent by each request, for the uploads' documents/s. */
  documentsPerRequest?: number;
}

function kinds(steady: string[], uploads: UploadBodies): Kind[] {
  const onPath = (method: autocannon.Request['method'], path: (ubid: string) => string): autocannon.Request => {
    const next = roundRobin(steady);
    return { method, setupRequest: (request) => ({ ...request, path: path(next()) }) };
  };
  return [
    {
      name: 'uploads',
      requests: [{ method: 'POST', path: '/tracking/sms_documents', setupRequest: (request) => ({ ...request, body: uploads.take() }) }],
      documentsPerRequest: uploads.subBatch,
    },
    { name: 'counts', requests: [onPath('GET', (ubid) => `/tracking/sms_documents/${ubid}`)] },
    {
      name: 'updates',
      requests: [
        onPath('PUT', (ubid) => `/tracking/sms_documents/${ubid}/SENT`),
        onPath('PUT', (ubid) => `/tracking/sms_transfers/${ubid}/SENT`),
      ],
    },
    { name: 'reads', requests: [onPath('GET', (ubid) => `/tracking/sms_transfers/${ubid}`), { method: 'GET', path: LISTING }] },
  ];
}

interface Measured {
  name: string;
  connections: number;
  responses: number;
  requestsPerSecond: number;
  documentsPerSecond?: number;
  /** Response times of every answer, in ms, sorted. */
  latencies: number[];
  errors: number;
  non2xx: number;
  /** The non-2xx answers by status code. */
  failedStatuses: Record<string, number>;
}

/** One autocannon instance; its latencies are recorded here, for every status, so that the total can merge them. */
function load(kind: Kind, service: BuiltService, options: MixedLoadOptions): Promise<Measured> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: service.baseUrl,
        connections: options.connections,
        duration: options.duration,
        headers: { ...service.headers, 'content-type': 'application/json' },
        requests: kind.requests,
      },
      (error, result) => {
        if (error) return reject(error as Error);
        const failedStatuses = Object.fromEntries(
          Object.entries(result.statusCodeStats ?? {})
            .filter(([status]) => !status.startsWith('2'))
            .map(([status, { count }]) => [status, count ?? 0]),
        );
        resolve({
          name: kind.name,
          connections: options.connections,
          responses: latencies.length,
          requestsPerSecond: latencies.length / result.duration,
          documentsPerSecond:
            kind.documentsPerRequest === undefined ? undefined : (result['2xx'] * kind.documentsPerRequest) / result.duration,
          latencies: latencies.sort((a, b) => a - b),
          errors: result.errors,
          non2xx: result.non2xx,
          failedStatuses,
        });
      },
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => latencies.push(responseTime));
  });
}

function total(measured: Measured[]): Measured {
  const sum = (value: (m: Measured) => number) => measured.reduce((result, m) => result + value(m), 0);
  const failedStatuses: Record<string, number> = {};
  measured.forEach((m) =>
    Object.entries(m.failedStatuses).forEach(([status, count]) => (failedStatuses[status] = (failedStatuses[status] ?? 0) + count)),
  );
  return {
    name: 'total',
    connections: sum((m) => m.connections),
    responses: sum((m) => m.responses),
    requestsPerSecond: sum((m) => m.requestsPerSecond),
    documentsPerSecond: sum((m) => m.documentsPerSecond ?? 0),
    latencies: measured.flatMap((m) => m.latencies).sort((a, b) => a - b),
    errors: sum((m) => m.errors),
    non2xx: sum((m) => m.non2xx),
    failedStatuses,
  };
}

function printMeasured(rows: Measured[]): void {
  const header = ['kind', 'connections', 'requests', 'requests/s', 'documents/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'non-2xx'];
  printTable(
    header,
    rows.map((row) => [
      row.name,
      String(row.connections),
      count(row.responses),
      count(row.requestsPerSecond),
      count(row.documentsPerSecond),
      ms(percentile(row.latencies, 50)),
      ms(percentile(row.latencies, 99)),
      ms(percentile(row.latencies, 99.9)),
      String(row.errors),
      String(row.non2xx),
    ]),
  );
}

/**
 * The mixed load: uploads, counts, state updates and reads at the same time, each kind from its
 * own autocannon instance, for the same bounded time, with an API key as a deployment would have.
 * Exits 1 on any error or non-2xx answer, since a benchmark that measured 401s or 422s would be
 * worthless.
 */
export async function mixedLoad(options: MixedLoadOptions): Promise<void> {
  const { databaseUrl } = options;
  const engine = await engineVersion(databaseUrl);
  const loadBefore = loadavg();
  const service = await BuiltService.startWithApiKey({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' });
  try {
    const steady = Array.from({ length: STEADY_TRANSFERS }, () => randomUUID());
    const uploadTransfers = Math.ceil((FRESH_DOCUMENTS_PER_SECOND * options.duration) / DOCUMENTS_PER_UPLOAD_TRANSFER);
    const uploading = Array.from({ length: uploadTransfers }, () => randomUUID());
    console.error(
      `${engine} (${redactPassword(databaseUrl)}): ${STEADY_TRANSFERS} transfers of ${STEADY_DOCUMENTS} documents for counts, state updates and reads; ` +
        `${uploadTransfers} transfers to upload into, ${options.subBatch} documents a request; ${options.connections} connections a kind, ${options.duration} s.`,
    );
    for (const ubid of steady) {
      await service.send('POST', '/tracking/sms_transfers', transferBody(ubid, STEADY_DOCUMENTS));
      await service.send('POST', '/tracking/sms_documents', uploadBody(ubid, documentsJson(0, STEADY_DOCUMENTS)));
    }
    for (const ubid of uploading) await service.send('POST', '/tracking/sms_transfers', transferBody(ubid, DOCUMENTS_PER_UPLOAD_TRANSFER));
    const uploads = new UploadBodies(uploading, options.subBatch);

    const chosen = kinds(steady, uploads).filter((kind) => options.only === undefined || kind.name === options.only);
    if (chosen.length === 0) throw new Error(`--only: no kind '${options.only}'; the kinds are uploads, counts, updates and reads`);
    const measured = await Promise.all(chosen.map((kind) => load(kind, service, options)));
    const peakRssMb = service.peakRssMb();
    const rows = [...measured, total(measured)];
    printMeasured(rows);
    console.log(`\nService peak RSS ${Math.round(peakRssMb)} MB. ${engine}; API key required; LOG_LEVEL=warn.`);
    console.log(
      `Node ${process.version}, ${cpus().length} × ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GiB; ` +
        `load average ${loadBefore[0].toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (1 min).`,
    );
    if (uploads.resent > 0)
      console.log(`${uploads.resent} uploads re-sent documents already stored (updates, not inserts): raise FRESH_DOCUMENTS_PER_SECOND.`);
    const failed = rows[rows.length - 1];
    if (failed.errors > 0 || failed.non2xx > 0) {
      console.error(
        `FAILED: ${failed.errors} errors (connection errors and timeouts), non-2xx answers by status: ${JSON.stringify(failed.failedStatuses)}`,
      );
      process.exitCode = 1;
    }
  } finally {
    await service.stop();
  }
}
