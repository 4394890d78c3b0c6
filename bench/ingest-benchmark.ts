/**
 * `npm run bench`: how fast the built service ingests the reference workload, against what
 * SQLite itself can do and what plain TypeORM does, all measured in this one run on this machine.
 * See docs/performance.md for the method and the figures.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';

import { MIGRATIONS } from '../src/app/database/migrations';
import { ENTITIES } from '../src/app/entities';
import { parseDatabaseUrl } from '../src/core/config/database-url';
import { buildDataSourceOptions, initializeDataSource } from '../src/core/database/data-source-options';
import { NOW } from '../src/core/database/time-parameter';
import { generateDocuments } from '../src/loader/document-generator';
import { NewSmsDocument } from '../src/sms-document/domain/sms-document';
import { SmsDocumentEntity } from '../src/sms-document/sms-document.entity';
import { BuiltService } from './built-service';

const REFERENCE_DOCUMENTS = 412_343;
const LARGE_DOCUMENTS = 1_000_000;
const SUB_BATCH = 5000;
/** The largest chunk `repository.upsert()` survives: its read-back SELECT fails near 1000 rows. */
const TYPEORM_CHUNK = 500;

const folder = mkdtempSync(join(tmpdir(), 'tracking-bench-'));
const transferBody = (ubid: string) =>
  JSON.stringify({ UBID: ubid, SMScount: 1, documents: 1, fileName: 'bench.json', origName: 'bench.csv' });

interface Result {
  name: string;
  documents: number;
  seconds: number;
  peakRssMb?: number;
}

const docsPerSecond = (result: Result) => result.documents / result.seconds;

async function timed(name: string, documents: number, work: () => Promise<void> | void): Promise<Result> {
  const start = process.hrtime.bigint();
  await work();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  console.error(`  ${name}: ${Math.round(documents / seconds).toLocaleString('en')} docs/s`);
  return { name, documents, seconds };
}

/** SQLite through better-sqlite3: one prepared single-row upsert, a transaction per 5000 rows. */
async function rawLimit(documents: NewSmsDocument[], run: number): Promise<Result> {
  const file = join(folder, `raw-${run}.db`);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // The service's default durability: every commit waits for the disk.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // The service's own migrations, every one of them, so that the raw limit pays for the same indexes.
  const queryRunner = { query: (sql: string) => Promise.resolve(db.exec(sql)), connection: { options: { type: 'sqlite' } } };
  for (const migration of MIGRATIONS) await new migration().up(queryRunner as never);
  const ubid = randomUUID();
  db.prepare(`INSERT INTO "sms_transfers" ("UBID", "fileName", "origName", "documents") VALUES (?, 'f', 'o', 1)`).run(ubid);
  const upsert = db.prepare(`INSERT INTO "sms_documents" ("UBID", "uniqueId", "SMScount", "data", "when") VALUES (?, ?, ?, ?, ${NOW.sqlite})
    ON CONFLICT ("UBID", "uniqueId") DO UPDATE SET "SMScount" = excluded."SMScount", "data" = excluded."data",
      "state" = 'INIT', "when" = excluded."when"`);
  const rows = documents.map((doc) => [ubid, doc.uniqueId, doc.SMScount, JSON.stringify(doc.data)]);
  const writeBatch = db.transaction((batch: unknown[][]) => {
    for (const row of batch) upsert.run(row);
  });
  return timed('raw limit (better-sqlite3)', rows.length, () => {
    for (let start = 0; start < rows.length; start += SUB_BATCH) writeBatch(rows.slice(start, start + SUB_BATCH));
    db.close();
  });
}

/** What a NestJS developer would write: `repository.upsert(entities, ['UBID', 'uniqueId'])`. */
async function plainTypeOrm(documents: NewSmsDocument[]): Promise<Result> {
  const database = parseDatabaseUrl(`sqlite:${join(folder, 'typeorm.db')}`);
  const dataSource = await initializeDataSource(buildDataSourceOptions(database, { migrations: MIGRATIONS, entities: ENTITIES }), database);
  const ubid = randomUUID();
  await dataSource.query(`INSERT INTO "sms_transfers" ("UBID", "fileName", "origName", "documents") VALUES (?, 'f', 'o', 1)`, [ubid]);
  const repository = dataSource.getRepository(SmsDocumentEntity);
  // TypeORM's deep-partial type cannot express a free-form JSON column; the values are right.
  const entities = documents.map((doc) => ({ ...doc, UBID: ubid })) as QueryDeepPartialEntity<SmsDocumentEntity>[];
  const result = await timed(`plain TypeORM upsert() in chunks of ${TYPEORM_CHUNK}`, entities.length, async () => {
    for (let start = 0; start < entities.length; start += TYPEORM_CHUNK) {
      await repository.upsert(entities.slice(start, start + TYPEORM_CHUNK), ['UBID', 'uniqueId']);
    }
  });
  await dataSource.destroy();
  return result;
}

/** The bodies, serialized before the clock starts, so that the client costs the server nothing. */
function serializedBatches(ubid: string, count: number): Buffer[] {
  const bodies: Buffer[] = [];
  let batch: NewSmsDocument[] = [];
  const flush = () => bodies.push(Buffer.from(JSON.stringify({ UBID: ubid, documents: batch })));
  for (const doc of generateDocuments(count)) {
    batch.push(doc);
    if (batch.length === SUB_BATCH) {
      flush();
      batch = [];
    }
  }
  if (batch.length > 0) flush();
  return bodies;
}

/**
 * One ingest on a fresh service and database, so that repeated runs do not slow each other down.
 * The bodies are made before the service starts: serializing 1,000,000 documents takes longer
 * than the server's 5-second keep-alive timeout, which closed the idle sockets under the client
 * (EPIPE) when they were made in between.
 */
async function ingest(count: number, inFlight: number, run: number, { env = {}, scrape = false } = {}): Promise<Result> {
  const ubid = randomUUID();
  const bodies = serializedBatches(ubid, count);
  const file = join(folder, `service-${inFlight}-${count}-${run}-${Object.values(env).join('-')}.db`);
  const service = await BuiltService.start({ DATABASE_URL: `sqlite:${file}`, ...env });
  try {
    return await ingestInto(service, ubid, bodies, count, inFlight, scrape);
  } finally {
    await service.stop();
    rmSync(file, { force: true });
  }
}

/** Runs with metrics on and off, taking turns so that the machine's drift falls on both alike. */
const METRICS_RUNS = 5;

/**
 * What the metrics cost the ingest: 412,343 documents, 4 in flight, with METRICS_ENABLED on (and
 * scraped every second, as Prometheus would) and off, in turns.
 */
async function metricsCost(): Promise<void> {
  const on: Result[] = [];
  const off: Result[] = [];
  for (let run = 0; run < METRICS_RUNS; run += 1) {
    off.push(await ingest(REFERENCE_DOCUMENTS, 4, run, { env: { METRICS_ENABLED: 'false' } }));
    on.push(await ingest(REFERENCE_DOCUMENTS, 4, run, { env: { METRICS_ENABLED: 'true' }, scrape: true }));
  }
  const medianRate = (results: Result[]) => [...results.map(docsPerSecond)].sort((a, b) => a - b)[Math.floor(results.length / 2)];
  const rates = (results: Result[]) => results.map((result) => Math.round(docsPerSecond(result)).toLocaleString('en')).join(', ');
  console.log(`| METRICS_ENABLED | docs/s, median of ${METRICS_RUNS} | runs |`);
  console.log('| --- | --- | --- |');
  console.log(`| false | ${Math.round(medianRate(off)).toLocaleString('en')} | ${rates(off)} |`);
  console.log(`| true, scraped every second | ${Math.round(medianRate(on)).toLocaleString('en')} | ${rates(on)} |`);
  console.log(`\nMetrics cost ${((100 * (medianRate(off) - medianRate(on))) / medianRate(off)).toFixed(1)} % of the ingest rate.`);
}

async function ingestInto(
  service: BuiltService,
  ubid: string,
  bodies: Buffer[],
  count: number,
  inFlight: number,
  scrape = false,
): Promise<Result> {
  await service.send('POST', '/tracking/sms_transfers', transferBody(ubid));
  // As Prometheus would: the scrape's own cost is part of what metrics cost.
  const scraper = scrape ? setInterval(() => void service.send('GET', '/metrics'), 1000) : undefined;
  const result = await timed(`service, ${count.toLocaleString('en')} documents, ${inFlight} in flight`, count, async () => {
    let next = 0;
    const worker = async () => {
      while (next < bodies.length) await service.send('POST', '/tracking/sms_documents', bodies[next++]);
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  });
  clearInterval(scraper);
  return { ...result, peakRssMb: service.peakRssMb() };
}

/** This machine's speed drifts by 20 % from one run to the next: each figure is the median of RUNS. */
const RUNS = 3;

async function median(runs: number, measure: (run: number) => Promise<Result>): Promise<Result> {
  const results: Result[] = [];
  for (let run = 0; run < runs; run += 1) results.push(await measure(run));
  const sorted = [...results].sort((a, b) => docsPerSecond(a) - docsPerSecond(b));
  const peakRssMb = Math.max(...results.map((result) => result.peakRssMb ?? 0)) || undefined;
  return { ...sorted[Math.floor(runs / 2)], peakRssMb, name: `${sorted[0].name} (median of ${runs})` };
}

async function main(): Promise<void> {
  console.error(
    `Reference workload: ${REFERENCE_DOCUMENTS.toLocaleString('en')} documents in sub-batches of ${SUB_BATCH}; SQLite file in WAL mode.`,
  );
  try {
    if (process.argv.includes('--metrics')) return await metricsCost();
    const documents = [...generateDocuments(REFERENCE_DOCUMENTS)];
    const raw = await median(RUNS, (run) => rawLimit(documents, run));
    const typeorm = await plainTypeOrm(documents);
    const sequential = await median(RUNS, (run) => ingest(REFERENCE_DOCUMENTS, 1, run));
    const concurrent = await median(RUNS, (run) => ingest(REFERENCE_DOCUMENTS, 4, run));
    const large = await ingest(LARGE_DOCUMENTS, 4, 0);
    printTable(raw, typeorm, [sequential, concurrent, large]);
    console.log();
    await metricsCost();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function printTable(raw: Result, typeorm: Result, service: Result[]): void {
  const limit = docsPerSecond(raw);
  const rows = [raw, typeorm, ...service].map((result) => [
    result.name,
    Math.round(docsPerSecond(result)).toLocaleString('en'),
    `${Math.round((100 * docsPerSecond(result)) / limit)} %`,
    `${(docsPerSecond(result) / docsPerSecond(typeorm)).toFixed(1)}×`,
    result.peakRssMb === undefined ? '' : `${Math.round(result.peakRssMb)} MB`,
  ]);
  const header = ['measure', 'docs/s', 'of raw limit', 'vs plain TypeORM', 'server peak RSS'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column])).join(' | ')} |`;
  console.log(line(header));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  rows.forEach((row) => console.log(line(row)));
  console.log(`\nNode ${process.version}, ${cpus().length} × ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GiB.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
