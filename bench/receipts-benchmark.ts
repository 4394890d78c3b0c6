/**
 * `npm run bench:receipts`: delivery receipts as the gateways send them, one callback per message,
 * against `GET /health` in the same run on the same service: how close recording a receipt comes
 * to the speed of the HTTP layer itself. See docs/performance.md for the method and the figures.
 *
 * On a fresh built service: a transfer of documents, their gateway message ids set by submissions,
 * then, for each number in flight, one Jasmin delivery report (level 2, DELIVRD) per document of
 * a slice no earlier phase touched, and as many `GET /health` at the same number in flight.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { BuiltService } from './built-service';
import { exitOnHelp, integerOption } from './load/cli-options';
import { engineVersion } from './load/engine';
import { BenchClient } from './load/http';
import { count, ms, percentile, printTable } from './load/report';
import { createTransferWithDocuments, referenceUniqueId, submitMessages } from './load/submissions';

const USAGE = `Usage: npm run bench:receipts -- [--documents <n>] [--in-flight <n,n,…>] [--postgres <url>]

  --documents <n>     receipts per phase, one per document (default 20000)
  --in-flight <n,…>   requests in flight, one phase each (default 1,64,256)
  --postgres <url>    also on PostgreSQL: DATABASE_URL of an empty throwaway database (the benchmark leaves its rows)`;

const GATEWAY = 'jasmin';

interface Options {
  documents: number;
  inFlight: number[];
  postgres?: string;
}

interface Phase {
  requests: number;
  seconds: number;
  sorted: number[];
  /** Answers that were not 200, by status. */
  failures: Map<number, number>;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string', default: '20000' },
      'in-flight': { type: 'string', default: '1,64,256' },
      postgres: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  exitOnHelp(USAGE, values.help);
  const integer = integerOption(USAGE);
  return {
    documents: integer('documents', values.documents, 1_000_000),
    inFlight: values['in-flight'].split(',').map((raw) => integer('in-flight', raw, 1024)),
    postgres: values.postgres,
  };
}

/** The gateway's id of each document: as Jasmin's, a UUID. */
const messageIdOf = (index: number) => `${index.toString(16).padStart(8, '0')}-${randomUUID().slice(9)}`;

/** A level-2 Jasmin delivery report of a delivered message, as Jasmin sends it to its dlr-url. */
function jasminDelivered(messageId: string): string {
  const query = new URLSearchParams({
    id: messageId,
    message_status: 'DELIVRD',
    level: '2',
    id_smsc: messageId.slice(0, 8),
    sub: '001',
    dlvrd: '001',
    subdate: '2612071200',
    donedate: '2612071201',
    err: '000',
    text: 'Hello',
  });
  return `/tracking/gateways/jasmin/dlr?${query.toString()}`;
}

/** Sends `paths` with `inFlight` requests at a time, each answer timed. */
async function run(client: BenchClient, paths: string[], inFlight: number): Promise<Phase> {
  const latencies: number[] = [];
  const failures = new Map<number, number>();
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < paths.length) {
        const answer = await client.send('GET', paths[next++]);
        latencies.push(answer.ms);
        if (answer.status !== 200) failures.set(answer.status, (failures.get(answer.status) ?? 0) + 1);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { requests: paths.length, seconds, sorted: latencies.sort((a, b) => a - b), failures };
}

/** The transfer, its documents and their message ids, set by submissions as a sender would. */
async function prepare(service: BuiltService, total: number): Promise<string[]> {
  const ubid = randomUUID();
  await createTransferWithDocuments(service, ubid, total);
  const messageIds = Array.from({ length: total }, (_, index) => messageIdOf(index));
  await submitMessages(
    service,
    ubid,
    GATEWAY,
    messageIds.map((messageId, index) => ({ uniqueId: referenceUniqueId(index), messageId })),
  );
  return messageIds;
}

const rate = (phase: Phase) => phase.requests / phase.seconds;
const failed = (phase: Phase) => [...phase.failures].map(([status, times]) => `${count(times)} × ${status}`).join(', ') || '0';

async function onEngine(name: string, databaseUrl: string, options: Options): Promise<void> {
  const service = await BuiltService.start({ DATABASE_URL: databaseUrl });
  const client = new BenchClient(service.baseUrl, {}, Math.max(...options.inFlight));
  try {
    console.log(`\n## ${name} (${await engineVersion(databaseUrl)})\n`);
    const messageIds = await prepare(service, options.documents * options.inFlight.length);
    const rows: string[][] = [];
    for (const [phase, inFlight] of options.inFlight.entries()) {
      const slice = messageIds.slice(phase * options.documents, (phase + 1) * options.documents);
      const receipts = await run(client, slice.map(jasminDelivered), inFlight);
      const health = await run(client, Array<string>(options.documents).fill('/health'), inFlight);
      rows.push([
        String(inFlight),
        count(rate(receipts)),
        ms(percentile(receipts.sorted, 50)),
        ms(percentile(receipts.sorted, 99)),
        failed(receipts),
        count(rate(health)),
        ms(percentile(health.sorted, 99)),
        `${Math.round((100 * rate(receipts)) / rate(health))} %`,
      ]);
    }
    printTable(['in flight', 'receipts/s', 'p50 ms', 'p99 ms', 'not 200', 'GET /health/s', 'health p99 ms', 'receipts of health'], rows);
  } finally {
    client.close();
    await service.stop();
  }
}

async function main(): Promise<void> {
  const options = parseOptions();
  const folder = mkdtempSync(join(tmpdir(), 'tracking-receipts-'));
  try {
    await onEngine('SQLite file', `sqlite:${join(folder, 'receipts.db')}`, options);
    if (options.postgres) await onEngine('PostgreSQL', options.postgres, options);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
