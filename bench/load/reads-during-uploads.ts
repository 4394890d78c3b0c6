import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { BuiltService } from '../built-service';
import { engineVersion } from './engine';
import { BenchClient } from './http';
import { count, ms, percentile, printTable } from './report';
import { DOCUMENTS_PER_UPLOAD_TRANSFER, documentsJson, transferBody, UploadBodies, uploadBody } from './upload-bodies';

/** The batch the reads ask about. */
const READ_DOCUMENTS = 20_000;
const UPLOADS_IN_FLIGHT = 4;
const SUB_BATCH = 5000;
/** More than the service ingests here, so that every upload inserts new documents. */
const FRESH_DOCUMENTS_PER_SECOND = 250_000;
/** Preloaded into the service (`node --require`) to measure its event loop's delay. */
const LOOP_DELAY_PROBE = join(__dirname, 'loop-delay-probe.js');

export interface ReadsDuringUploadsOptions {
  /** A new, empty database for each phase (the same one again when it cannot make new ones). */
  databaseUrl: () => string;
  /** How long each phase runs. */
  seconds: number;
  /** Clients reading at once, each back to back. */
  readers: number;
}

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

interface Phase {
  name: string;
  /** Response times of the reads, in ms, sorted; empty when the phase had none. */
  reads: number[];
  readsPerSecond: number;
  documentsPerSecond?: number;
  loop: LoopDelay;
  peakRssMb: number;
  /** Answers other than 200 to a read or 201 to an upload. */
  failures: number;
}

/**
 * Small reads from `readers` clients, each back to back (a count, a page of 100 documents, a
 * transfer): alone, then 4 uploads of 5000 documents in flight alone, then both at once, each for
 * the same time on a service and database of its own, so that no phase writes into a table the
 * one before filled. Shows what the uploads cost the reads and the reads the uploads, and the
 * service's event-loop delay in each phase.
 */
export async function readsDuringUploads({ databaseUrl, seconds, readers }: ReadsDuringUploadsOptions): Promise<void> {
  const engine = await engineVersion(databaseUrl());
  console.error(
    `${engine}: reads of a ${count(READ_DOCUMENTS)}-document batch from ${readers} client(s); ` +
      `${UPLOADS_IN_FLIGHT} uploads of ${SUB_BATCH} documents in flight; ${seconds} s a phase, each on a fresh service.`,
  );
  const options = { seconds, readers };
  const phases = [
    await phase('reads alone', databaseUrl(), { ...options, reads: true, uploads: false }),
    await phase(`${UPLOADS_IN_FLIGHT} uploads in flight alone`, databaseUrl(), { ...options, reads: false, uploads: true }),
    await phase(`reads during ${UPLOADS_IN_FLIGHT} uploads in flight`, databaseUrl(), { ...options, reads: true, uploads: true }),
  ];
  printTable(
    [
      'phase',
      'reads',
      'reads/s',
      'read p50 ms',
      'read p99 ms',
      'read max ms',
      'uploaded docs/s',
      'loop delay p50 ms',
      'p99 ms',
      'max ms',
      'peak RSS MB',
      'failures',
    ],
    phases.map((row) => [
      row.name,
      count(row.reads.length),
      row.reads.length ? count(row.readsPerSecond) : '',
      ms(percentile(row.reads, 50)),
      ms(percentile(row.reads, 99)),
      row.reads.length ? ms(row.reads[row.reads.length - 1]) : '',
      count(row.documentsPerSecond),
      ms(row.loop.p50),
      ms(row.loop.p99),
      ms(row.loop.max),
      count(row.peakRssMb),
      String(row.failures),
    ]),
  );
  const [alone, uploadsAlone, both] = phases;
  console.log(
    `\nReads during uploads: ${Math.round((100 * both.readsPerSecond) / alone.readsPerSecond)} % of the reads/s alone; ` +
      `uploads with the reads: ${Math.round((100 * both.documentsPerSecond!) / uploadsAlone.documentsPerSecond!)} % of the docs/s alone.`,
  );
  console.log(
    `${engine}; API key required; LOG_LEVEL=warn. Node ${process.version}, ${cpus().length} × ${cpus()[0].model}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB; load average ${loadavg()[0].toFixed(2)} (1 min).`,
  );
  if (phases.some((row) => row.failures > 0)) process.exitCode = 1;
}

/** One phase on a service of its own: seeds the read batch and the upload transfers, then runs for `seconds`. */
async function phase(
  name: string,
  databaseUrl: string,
  { seconds, readers, reads, uploads }: { seconds: number; readers: number; reads: boolean; uploads: boolean },
): Promise<Phase> {
  const loopDelayFile = join(tmpdir(), `tracking-loop-delay-${process.pid}.json`);
  const service = await BuiltService.startWithApiKey({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: `--require ${LOOP_DELAY_PROBE}`,
    LOOP_DELAY_FILE: loopDelayFile,
  });
  const reader = new BenchClient(service.baseUrl, service.headers, readers);
  const uploader = new BenchClient(service.baseUrl, service.headers, UPLOADS_IN_FLIGHT);
  try {
    const readUbid = randomUUID();
    await service.send('POST', '/tracking/sms_transfers', transferBody(readUbid, READ_DOCUMENTS));
    for (let from = 0; from < READ_DOCUMENTS; from += SUB_BATCH) {
      await service.send('POST', '/tracking/sms_documents', uploadBody(readUbid, documentsJson(from, SUB_BATCH)));
    }
    const uploadUbids = Array.from({ length: Math.ceil((FRESH_DOCUMENTS_PER_SECOND * seconds) / DOCUMENTS_PER_UPLOAD_TRANSFER) }, () =>
      randomUUID(),
    );
    for (const ubid of uploadUbids)
      await service.send('POST', '/tracking/sms_transfers', transferBody(ubid, DOCUMENTS_PER_UPLOAD_TRANSFER));
    const bodies = new UploadBodies(uploadUbids, SUB_BATCH);

    const loopDelay = async (): Promise<LoopDelay> => {
      rmSync(loopDelayFile, { force: true });
      process.kill(service.pid, 'SIGUSR2');
      while (!existsSync(loopDelayFile)) await sleep(10);
      await sleep(10);
      return JSON.parse(readFileSync(loopDelayFile, 'utf8')) as LoopDelay;
    };
    await loopDelay();
    const until = Date.now() + seconds * 1000;
    const latencies: number[] = [];
    let failures = 0;
    let documents = 0;
    const readPaths = [
      `/tracking/sms_documents/${readUbid}`,
      (index: number) =>
        `/tracking/sms_documents/${readUbid}/documents?limit=100&after=${String((index * 100) % READ_DOCUMENTS).padStart(10, '0')}`,
      `/tracking/sms_transfers/${readUbid}`,
    ];
    const readLoop = async () => {
      for (let index = 0; Date.now() < until; index += 1) {
        const path = readPaths[index % readPaths.length];
        const answer = await reader.send('GET', typeof path === 'string' ? path : path(index));
        latencies.push(answer.ms);
        if (answer.status !== 200) failures += 1;
      }
    };
    const uploadLoop = async () => {
      while (Date.now() < until) {
        const answer = await uploader.send('POST', '/tracking/sms_documents', bodies.take());
        if (answer.status === 201) documents += SUB_BATCH;
        else failures += 1;
      }
    };
    const started = Date.now();
    await Promise.all([
      ...(reads ? Array.from({ length: readers }, readLoop) : []),
      ...(uploads ? Array.from({ length: UPLOADS_IN_FLIGHT }, uploadLoop) : []),
    ]);
    const elapsed = (Date.now() - started) / 1000;
    return {
      name,
      reads: latencies.sort((a, b) => a - b),
      readsPerSecond: latencies.length / elapsed,
      documentsPerSecond: uploads ? documents / elapsed : undefined,
      loop: await loopDelay(),
      peakRssMb: service.peakRssMb(),
      failures,
    };
  } finally {
    reader.close();
    uploader.close();
    rmSync(loopDelayFile, { force: true });
    await service.stop();
  }
}
