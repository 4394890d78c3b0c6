/**
 * `npm run bench:load`: the built service under a mixed load. Uploads, counts, state updates and
 * reads run at the same time for the same bounded time, each kind from its own autocannon
 * instance, with an API key as a deployment would have. Prints requests/s, latency percentiles and
 * errors per kind; exits 1 on any error or non-2xx answer, since a benchmark that measured 401s or
 * 422s would be worthless. See docs/performance.md for the method and the figures.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { Client } from 'pg';
import sqlite3 from 'sqlite3';
import { parseDatabaseUrl, redactPassword } from '../src/core/config/database-url';
import { referenceDocument } from '../src/loader/document-generator';
import { BuiltService } from './built-service';

const USAGE = `Usage: npm run bench:load -- [--duration <s>] [--connections <n>] [--sub-batch <n>] [--only <kind>] [--database <url>]

  --duration <s>      how long the load runs, in seconds (default 20)
  --connections <n>   connections of each kind of request, each with one request in flight (default 2)
  --sub-batch <n>     documents per upload request, 1-5000 (default 1000)
  --only <kind>       run one kind alone (uploads, counts, updates or reads), to see what the others cost it
  --database <url>    DATABASE_URL of the service (default: a SQLite file in a new temporary folder);
                      give an empty throwaway database: the benchmark leaves its rows there`;

/** The transfers that counts, state updates and reads work on, each with a batch of a fixed size. */
const STEADY_TRANSFERS = 4;
const STEADY_DOCUMENTS = 5000;
/** Uploads go to transfers of their own, each filled with up to this many distinct documents. */
const DOCUMENTS_PER_UPLOAD_TRANSFER = 50_000;
/**
 * Above what either engine ingests here (SQLite's raw limit is ≈ 90,000 docs/s), so that
 * every upload inserts new documents rather than overwriting ones already sent.
 */
const FRESH_DOCUMENTS_PER_SECOND = 150_000;
/** A page of the listing as a dashboard asks for it. */
const LISTING = '/tracking/sms_transfers?limit=100&offset=0&state=INIT';

interface Options {
  duration: number;
  connections: number;
  subBatch: number;
  database?: string;
  only?: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '20' },
      connections: { type: 'string', default: '2' },
      'sub-batch': { type: 'string', default: '1000' },
      database: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const integer = (name: string, raw: string, max: number): number => {
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 1 && value <= max) return value;
    console.error(`--${name} must be an integer from 1 to ${max}, not '${raw}'\n\n${USAGE}`);
    process.exit(2);
  };
  return {
    duration: integer('duration', values.duration, 3600),
    connections: integer('connections', values.connections, 100),
    subBatch: integer('sub-batch', values['sub-batch'], 5000),
    database: values.database,
    only: values.only,
  };
}

const uploadBody = (ubid: string, documents: Buffer) =>
  Buffer.concat([Buffer.from(`{"UBID":${JSON.stringify(ubid)},"documents":`), documents, Buffer.from('}')]);

/** The JSON array of the reference documents `from` to `from + count - 1`. */
const documentsJson = (from: number, count: number) =>
  Buffer.from(JSON.stringify(Array.from({ length: count }, (_, offset) => referenceDocument(from + offset))));

/**
 * Upload bodies, each a sub-batch of documents that no earlier upload sent. The document arrays
 * are serialized before the clock starts and shared by all upload transfers, so that making a
 * body costs the client one copy and never holds the uploads back.
 */
class UploadBodies {
  private readonly chunks: Buffer[];
  private next = 0;

  constructor(
    private readonly ubids: string[],
    readonly subBatch: number,
  ) {
    const chunks = Math.floor(DOCUMENTS_PER_UPLOAD_TRANSFER / subBatch);
    this.chunks = Array.from({ length: chunks }, (_, chunk) => documentsJson(chunk * subBatch, subBatch));
  }

  /** How many uploads re-sent documents because the run outlasted the fresh ones. */
  get resent(): number {
    return Math.max(0, this.next - this.ubids.length * this.chunks.length);
  }

  take(): Buffer {
    const index = this.next++ % (this.ubids.length * this.chunks.length);
    return uploadBody(this.ubids[Math.floor(index / this.chunks.length)], this.chunks[index % this.chunks.length]);
  }
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
      requests: [onPath('PUT', (ubid) => `/tracking/sms_documents/${ubid}/SENT`), onPath('PUT', (ubid) => `/tracking/sms_transfers/${ubid}/SENT`)],
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
function load(kind: Kind, service: BuiltService, options: Options): Promise<Measured> {
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
        if (error) return reject(error);
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
          documentsPerSecond: kind.documentsPerRequest === undefined ? undefined : (result['2xx'] * kind.documentsPerRequest) / result.duration,
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
  measured.forEach((m) => Object.entries(m.failedStatuses).forEach(([status, count]) => (failedStatuses[status] = (failedStatuses[status] ?? 0) + count)));
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

/** The nearest-rank percentile of sorted values. */
function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

function printTable(rows: Measured[]): void {
  const ms = (value: number) => (value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en'));
  const cells = rows.map((row) => [
    row.name,
    String(row.connections),
    row.responses.toLocaleString('en'),
    Math.round(row.requestsPerSecond).toLocaleString('en'),
    row.documentsPerSecond === undefined ? '' : Math.round(row.documentsPerSecond).toLocaleString('en'),
    ms(percentile(row.latencies, 50)),
    ms(percentile(row.latencies, 99)),
    ms(percentile(row.latencies, 99.9)),
    String(row.errors),
    String(row.non2xx),
  ]);
  const header = ['kind', 'connections', 'requests', 'requests/s', 'documents/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'errors', 'non-2xx'];
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column].length)));
  const line = (row: string[]) => `| ${row.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  cells.forEach((row) => console.log(line(row)));
}

async function engineVersion(databaseUrl: string): Promise<string> {
  if (parseDatabaseUrl(databaseUrl).engine === 'sqlite') return `SQLite ${sqlite3.VERSION}`;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${rows[0].server_version}`;
  } finally {
    await client.end();
  }
}

const transferBody = (ubid: string, documents: number) =>
  JSON.stringify({ UBID: ubid, fileName: `${ubid}.json`, origName: 'load-benchmark.csv', documents, SMScount: documents * 2 });

async function main(): Promise<void> {
  const options = parseOptions();
  const folder = options.database ? undefined : mkdtempSync(join(tmpdir(), 'tracking-load-'));
  const databaseUrl = options.database ?? `sqlite:${join(folder!, 'load.db')}`;
  const engine = await engineVersion(databaseUrl);
  const loadBefore = loadavg();
  const apiKey = randomBytes(16).toString('hex');
  const service = await BuiltService.start({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', API_KEYS: apiKey }, { authorization: `Bearer ${apiKey}` });
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
    printTable(rows);
    console.log(`\nService peak RSS ${Math.round(peakRssMb)} MB. ${engine}; API key required; LOG_LEVEL=warn.`);
    console.log(
      `Node ${process.version}, ${cpus().length} × ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GiB; ` +
        `load average ${loadBefore[0].toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (1 min).`,
    );
    if (uploads.resent > 0) console.log(`${uploads.resent} uploads re-sent documents already stored (updates, not inserts): raise FRESH_DOCUMENTS_PER_SECOND.`);
    const failed = rows[rows.length - 1];
    if (failed.errors > 0 || failed.non2xx > 0) {
      console.error(`FAILED: ${failed.errors} errors (connection errors and timeouts), non-2xx answers by status: ${JSON.stringify(failed.failedStatuses)}`);
      process.exitCode = 1;
    }
  } finally {
    await service.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
