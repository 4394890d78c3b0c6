/**
 * `npm run bench:retention`: what a purge of 1,000,000 documents costs the ingest. The built
 * service on a SQLite file gets two old batches (200,000 and 1,000,000 documents), then runs three
 * phases: uploads alone (4 in flight, 5000 documents each, as the loader sends them); the small
 * batch purged alone; the big batch purged while the uploads go on. Throughout, a probe sends a
 * one-row write every 25 ms: on SQLite it waits its turn behind whatever write runs, so its latency
 * is the longest any request waits for a purge statement; the service's own histogram of those
 * waits (/metrics) counts the writes that waited over 100 ms. Reports rates, latencies, and the
 * file's size and free pages. See docs/performance.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import Database from 'better-sqlite3';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';

import { load } from '../src/loader/command';
import { referenceDocument } from '../src/loader/document-generator';
import { BuiltService } from './built-service';

const OLD_DOCUMENTS = Number(process.argv[2] ?? 1_000_000);
const SMALL_OLD_DOCUMENTS = Math.round(OLD_DOCUMENTS / 5);
const SUB_BATCH = 5000;
const IN_FLIGHT = 4;
const BASELINE_SECONDS = 15;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Ingest {
  /** Documents stored, with the time each upload was answered. */
  answered: { at: number; latencyMs: number }[];
  stop(): Promise<void>;
}

/** Uploads reference documents to `ubid`, IN_FLIGHT requests at a time, until stopped. */
async function ingest(service: BuiltService, ubid: string): Promise<Ingest> {
  await service.send(
    'POST',
    '/tracking/sms_transfers',
    JSON.stringify({ UBID: ubid, SMScount: 1, documents: 1, fileName: 'b.json', origName: 'b.csv' }),
  );
  const answered: Ingest['answered'] = [];
  let next = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped) {
      const first = next;
      next += SUB_BATCH;
      const documents = Array.from({ length: SUB_BATCH }, (_, index) => referenceDocument(first + index));
      const body = JSON.stringify({ UBID: ubid, documents });
      const start = performance.now();
      await service.send('POST', '/tracking/sms_documents', body);
      answered.push({ at: performance.now(), latencyMs: performance.now() - start });
    }
  };
  const workers = Array.from({ length: IN_FLIGHT }, worker);
  return {
    answered,
    stop: async () => {
      stopped = true;
      await Promise.all(workers);
    },
  };
}

/** A one-row write (a transfer set to the state it is in) every 25 ms, its latencies recorded. */
async function probe(service: BuiltService): Promise<Ingest> {
  const ubid = randomUUID();
  await service.send(
    'POST',
    '/tracking/sms_transfers',
    JSON.stringify({ UBID: ubid, SMScount: 1, documents: 1, fileName: 'p.json', origName: 'p.csv' }),
  );
  const answered: Ingest['answered'] = [];
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      const start = performance.now();
      await service.send('PUT', `/tracking/sms_transfers/${ubid}/INIT`);
      answered.push({ at: performance.now(), latencyMs: performance.now() - start });
      await sleep(25);
    }
  })();
  return { answered, stop: () => ((stopped = true), running) };
}

function latencies(answered: Ingest['answered'], from: number, to: number): { count: number; p50: number; p99: number; max: number } {
  const sorted = answered
    .filter(({ at }) => at >= from && at <= to)
    .map(({ latencyMs }) => latencyMs)
    .sort((a, b) => a - b);
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? NaN;
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}

/** The service's count of writes that waited for the SQLite write connection, in all and longer than 100 ms. */
async function queueWaits(service: BuiltService): Promise<{ all: number; over100ms: number }> {
  const family = parsePrometheusTextFormat(await service.send('GET', '/metrics')).find(
    ({ name }) => name === 'tracking_sqlite_write_queue_wait_seconds',
  )!;
  const { buckets = {}, count = '0' } = family.metrics[0];
  return { all: Number(count), over100ms: Number(count) - Number(buckets['0.1']) };
}

let waitsBefore = { all: 0, over100ms: 0 };

/** One line of the table: the uploads' rate and latencies, the probe's, and the writes that waited over 100 ms, between `from` and `to`. */
async function summarize(
  service: BuiltService,
  name: string,
  uploads: Ingest | null,
  writes: Ingest,
  from: number,
  to: number,
): Promise<{ rate: number }> {
  const waits = await queueWaits(service);
  const [all, over] = [waits.all - waitsBefore.all, waits.over100ms - waitsBefore.over100ms];
  waitsBefore = waits;
  const ms = (value: number) => (Number.isNaN(value) ? '–' : value.toFixed(0));
  const upload = uploads ? latencies(uploads.answered, from, to) : null;
  const write = latencies(writes.answered, from, to);
  const rate = upload ? (upload.count * SUB_BATCH) / ((to - from) / 1000) : 0;
  console.log(
    `| ${name} | ${((to - from) / 1000).toFixed(1)} | ${upload ? Math.round(rate).toLocaleString('en') : '–'} | ${ms(upload?.p50 ?? NaN)} | ${ms(upload?.p99 ?? NaN)} | ${ms(upload?.max ?? NaN)} | ${ms(write.p50)} | ${ms(write.p99)} | ${ms(write.max)} | ${over} of ${all} |`,
  );
  return { rate };
}

function fileReport(file: string, when: string): string {
  const db = new Database(file, { readonly: true });
  const [{ page_count: pages }] = db.pragma('page_count') as { page_count: number }[];
  const [{ freelist_count: free }] = db.pragma('freelist_count') as { freelist_count: number }[];
  db.close();
  return `| ${when} | ${(statSync(file).size / 1e6).toFixed(0)} MB | ${pages.toLocaleString('en')} | ${free.toLocaleString('en')} |`;
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'tracking-retention-bench-'));
  const file = join(folder, 'tracking.db');
  const env = { DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'warn' };
  const documents = (answer: string) => (JSON.parse(answer) as { documents: number }).documents;
  const purge = (service: BuiltService, before: Date, state: string) =>
    service.send('DELETE', `/tracking/sms_transfers?before=${before.toISOString()}&state=${state}`);
  try {
    let service = await BuiltService.start(env);
    for (const [count, state] of [
      [SMALL_OLD_DOCUMENTS, 'SENT'],
      [OLD_DOCUMENTS, 'DONE'],
    ] as const) {
      console.error(`loading ${count.toLocaleString('en')} documents…`);
      const ubid = randomUUID();
      await load(
        { url: service.baseUrl, ubid, count, batchSize: SUB_BATCH, concurrency: IN_FLIGHT, retries: 3, timeoutMs: 60_000 },
        () => undefined,
      );
      // Each old batch is purged by its state, so that the two purges are apart.
      await service.send('PUT', `/tracking/sms_transfers/${ubid}/${state}`);
    }
    // SQLite keeps whole seconds: the cutoff is a second after the last old document.
    await sleep(1100);
    const before = new Date();
    await sleep(1100);
    // A fresh process, as after a restart: nothing of the loading in its memory or caches.
    await service.stop();
    const files = [fileReport(file, 'after loading')];
    service = await BuiltService.start(env);
    const writes = await probe(service);

    console.log(
      '| phase | seconds | uploads: docs/s | upload p50 ms | p99 | max | one-row write p50 ms | p99 | max | writes that waited > 100 ms for their turn |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    waitsBefore = await queueWaits(service);
    let from = performance.now();
    await sleep(BASELINE_SECONDS * 1000);
    await summarize(service, 'nothing else', null, writes, from, performance.now());

    const baseline = await ingest(service, randomUUID());
    await sleep(2000);
    waitsBefore = await queueWaits(service);
    from = performance.now();
    await sleep(BASELINE_SECONDS * 1000);
    const alone = await summarize(service, 'uploads alone', baseline, writes, from, performance.now());
    await baseline.stop();
    waitsBefore = await queueWaits(service);

    from = performance.now();
    const small = await purge(service, before, 'SENT');
    let to = performance.now();
    await summarize(service, `purge alone: ${small}`, null, writes, from, to);
    files.push(fileReport(file, `after the purge of ${documents(small).toLocaleString('en')} documents alone`));
    const smallSeconds = (to - from) / 1000;

    const during = await ingest(service, randomUUID());
    await sleep(2000);
    waitsBefore = await queueWaits(service);
    from = performance.now();
    const big = await purge(service, before, 'DONE');
    to = performance.now();
    const beside = await summarize(service, `uploads during the purge: ${big}`, during, writes, from, to);
    await during.stop();
    await writes.stop();
    console.log(
      `\nPurge alone: ${Math.round(documents(small) / smallSeconds).toLocaleString('en')} docs/s. Purge beside the uploads: ${Math.round(documents(big) / ((to - from) / 1000)).toLocaleString('en')} docs/s, ${((to - from) / 1000).toFixed(1)} s; the ingest kept ${((100 * beside.rate) / alone.rate).toFixed(0)} % of its rate.\n`,
    );
    await service.stop();
    files.push(fileReport(file, 'after the purges (and the uploads beside them)'));
    console.log(['| file | size | pages | free pages |', '| --- | --- | --- | --- |', ...files].join('\n'));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

void main();
