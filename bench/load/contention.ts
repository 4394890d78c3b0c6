import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus, loadavg, totalmem } from 'node:os';

import { redactPassword } from '../../src/core/config/database-url';
import { referenceDocument } from '../../src/loader/document-generator';
import { BuiltService } from '../built-service';
import { engineVersion } from './engine';
import { count, ms, percentile, printTable } from './report';
import { documentsJson, transferBody, uploadBody } from './upload-bodies';

/** Two batches, as two senders would have; each gets its own clients of every kind. */
const BATCHES = 2;
const DOCUMENTS_PER_BATCH = 20_000;
/** Re-uploads: 2000 documents a request, each sub-batch half over the next one. */
const SUB_BATCH = 2000;
const SUB_BATCH_STEP = 1000;
/** Receipts name this many random documents of the batch, for SENT or DONE. */
const RECEIPT_DOCUMENTS = 500;
/** Submissions that give the documents their Jasmin message ids, before the load: at most this many a request. */
const SUBMISSION_DOCUMENTS = 5000;
/** What a Jasmin delivery report says of a message, at random: a final outcome or an intermediate one. */
const JASMIN_STATUSES = ['DELIVRD', 'UNDELIV', 'EXPIRED', 'ENROUTE'];
/** Clients of each kind per batch, each with one request in flight on a connection of its own. */
const CLIENTS_PER_KIND = 2;
/** A request not answered within this counts as a connection error (the service is stuck). */
const REQUEST_TIMEOUT_MS = 60_000;

export interface ContentionOptions {
  databaseUrl: string;
  /** How long the clients send, in seconds. */
  duration: number;
  /** Clients without a key beside the writers, each one request at a time (see keylessRequest). */
  keyless: number;
}

type KindName = 'uploads' | 'receipts' | 'moves' | 'callbacks' | 'keyless';

/**
 * Which statuses each kind may answer: a receipt for SENT of a document already DONE is a 409, as
 * documented; a client without a key gets 401 under /tracking and 404 elsewhere.
 */
const EXPECTED: Record<KindName, number[]> = { uploads: [201], receipts: [200, 409], moves: [200], callbacks: [200], keyless: [401, 404] };

interface Tally {
  latencies: number[];
  statuses: Map<number, number>;
  connectionErrors: Map<string, number>;
}

interface Exchange {
  status?: number;
  error?: string;
  ms: number;
}

interface Call {
  method: string;
  path: string;
  body?: Buffer;
  /** Headers of its own (a client without a key); the service's key otherwise. */
  headers?: Record<string, string>;
  /** Declare the body (its Content-Length) but send none of it: a stalled sender. */
  stall?: boolean;
}

/**
 * One request on the client's own keep-alive connection; a connection error or a timeout is an
 * answer too. A stalled one sends its headers only, and its connection is dropped once answered.
 */
function exchange(agent: Agent, baseUrl: string, headers: Record<string, string>, { method, path, body, stall }: Call) {
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise<Exchange>((resolve) => {
    const req = request(
      `${baseUrl}${path}`,
      {
        method,
        agent,
        headers: { ...headers, 'content-type': 'application/json', ...(body && { 'content-length': String(body.length) }) },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve({ status: res.statusCode!, ms: elapsed() });
          if (stall) req.destroy();
        });
        res.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, ms: elapsed() }));
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message, ms: elapsed() }));
    if (stall) req.flushHeaders();
    else req.end(body);
  });
}

/**
 * What a client without a key tries, in turn: a whole upload; a 10-byte gzip body declared to
 * `POST /health` and never sent (three such sockets once held the whole body budget); a read with
 * a wrong key; 2 MB to a path that does not exist.
 */
function keylessRequest(round: number, upload: Buffer, junk: Buffer): Call {
  const shapes: Call[] = [
    { method: 'POST', path: '/tracking/sms_documents', body: upload, headers: {} },
    { method: 'POST', path: '/health', body: Buffer.alloc(10), headers: { 'content-encoding': 'gzip' }, stall: true },
    { method: 'GET', path: '/tracking/sms_transfers', headers: { authorization: `Bearer ${'0'.repeat(32)}` } },
    { method: 'POST', path: '/nowhere', body: junk, headers: {} },
  ];
  return shapes[round % shapes.length];
}

/** The Jasmin message id the benchmark gives a document of a batch. */
function jasminId(ubid: string, uniqueId: string): string {
  return `${ubid}-${uniqueId}`;
}

/** A whole number from 0 to `below` - 1. */
function randomBelow(below: number): number {
  return Math.floor(Math.random() * below);
}

/**
 * The mix of issue 24 that made PostgreSQL answer 500: writers of one batch that meet. Two batches
 * of 20,000 documents; per batch, 2 clients re-uploading overlapping 2000-document sub-batches,
 * 2 posting receipts for 500 random documents (SENT or DONE) and 2 moving the whole batch
 * (`PUT /tracking/sms_documents/{ubid}/{state}`, SENT or DONE), and 2 gateways' callbacks (single
 * Jasmin DLRs, `GET /tracking/gateways/jasmin/dlr`, for random documents of the batch, by the ids a
 * submission gave them before the load), for `duration` seconds. Counts every
 * status and every connection error, and exits 1 on any 5xx, connection error or status a kind may
 * not answer.
 */
export async function contention({ databaseUrl, duration, keyless }: ContentionOptions): Promise<void> {
  const engine = await engineVersion(databaseUrl);
  const loadBefore = loadavg();
  const service = await BuiltService.startWithApiKey({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' });
  try {
    const ubids = Array.from({ length: BATCHES }, () => randomUUID());
    console.error(
      `${engine} (${redactPassword(databaseUrl)}): ${BATCHES} batches of ${count(DOCUMENTS_PER_BATCH)} documents; per batch ` +
        `${CLIENTS_PER_KIND} clients re-uploading ${SUB_BATCH}-document sub-batches, ${CLIENTS_PER_KIND} posting receipts for ` +
        `${RECEIPT_DOCUMENTS} documents, ${CLIENTS_PER_KIND} moving the whole batch, ${CLIENTS_PER_KIND} sending single Jasmin ` +
        `DLRs; ${keyless} clients without a key; ${duration} s.`,
    );
    const subBatches = Array.from({ length: (DOCUMENTS_PER_BATCH - SUB_BATCH) / SUB_BATCH_STEP + 1 }, (_, index) =>
      documentsJson(index * SUB_BATCH_STEP, SUB_BATCH),
    );
    const uploads = ubids.map((ubid) => subBatches.map((documents) => uploadBody(ubid, documents)));
    const uniqueIds = Array.from({ length: DOCUMENTS_PER_BATCH }, (_, index) => referenceDocument(index).uniqueId);
    for (const ubid of ubids) {
      await service.send('POST', '/tracking/sms_transfers', transferBody(ubid, DOCUMENTS_PER_BATCH));
      for (let from = 0; from < DOCUMENTS_PER_BATCH; from += 5000) {
        await service.send('POST', '/tracking/sms_documents', uploadBody(ubid, documentsJson(from, 5000)));
      }
      for (let from = 0; from < DOCUMENTS_PER_BATCH; from += SUBMISSION_DOCUMENTS) {
        const messages = uniqueIds
          .slice(from, from + SUBMISSION_DOCUMENTS)
          .map((uniqueId) => ({ uniqueId, messageId: jasminId(ubid, uniqueId) }));
        await service.send(
          'POST',
          `/tracking/sms_documents/${ubid}/submissions`,
          Buffer.from(JSON.stringify({ gateway: 'jasmin', messages })),
        );
      }
    }

    const tallies = new Map<KindName, Tally>(
      (['uploads', 'receipts', 'moves', 'callbacks', 'keyless'] as const).map((kind) => [
        kind,
        { latencies: [], statuses: new Map(), connectionErrors: new Map() },
      ]),
    );
    const until = Date.now() + duration * 1000;
    const client = async (kind: KindName, next: () => Call) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const tally = tallies.get(kind)!;
      try {
        while (Date.now() < until) {
          const call = next();
          const answer = await exchange(agent, service.baseUrl, call.headers ?? service.headers, call);
          tally.latencies.push(answer.ms);
          if (answer.status !== undefined) tally.statuses.set(answer.status, (tally.statuses.get(answer.status) ?? 0) + 1);
          else tally.connectionErrors.set(answer.error!, (tally.connectionErrors.get(answer.error!) ?? 0) + 1);
        }
      } finally {
        agent.destroy();
      }
    };
    const state = () => (randomBelow(2) === 0 ? 'SENT' : 'DONE');
    const clients = ubids.flatMap((ubid, batch) =>
      Array.from({ length: CLIENTS_PER_KIND }, () => [
        client('uploads', () => ({
          method: 'POST',
          path: '/tracking/sms_documents',
          body: uploads[batch][randomBelow(subBatches.length)],
        })),
        client('receipts', () => ({
          method: 'POST',
          path: `/tracking/sms_documents/${ubid}/receipts`,
          body: Buffer.from(
            JSON.stringify({
              state: state(),
              uniqueIds: Array.from({ length: RECEIPT_DOCUMENTS }, () => uniqueIds[randomBelow(uniqueIds.length)]),
            }),
          ),
        })),
        client('moves', () => ({ method: 'PUT', path: `/tracking/sms_documents/${ubid}/${state()}` })),
        client('callbacks', () => {
          const report = new URLSearchParams({
            id: jasminId(ubid, uniqueIds[randomBelow(uniqueIds.length)]),
            message_status: JASMIN_STATUSES[randomBelow(JASMIN_STATUSES.length)],
            level: '2',
            err: '000',
          });
          return { method: 'GET', path: `/tracking/gateways/jasmin/dlr?${report.toString()}` };
        }),
      ]).flat(),
    );
    const junk = Buffer.alloc(2 * 1024 * 1024, ' ');
    const keylessClients = Array.from({ length: keyless }, (_, index) => {
      let round = index;
      return client('keyless', () => keylessRequest((round += 1), uploads[0][0], junk));
    });
    const started = Date.now();
    await Promise.all([...clients, ...keylessClients]);
    const seconds = (Date.now() - started) / 1000;
    const retries = (await service.send('GET', '/metrics'))
      .split('\n')
      .filter((line) => line.startsWith('tracking_write_retries_total'))
      .map((line) => line.replace('tracking_write_retries_total', '').trim());

    const rows = [...tallies]
      .filter(([, tally]) => tally.latencies.length > 0)
      .map(([kind, tally]) => ({ kind, ...tally, latencies: tally.latencies.sort((a, b) => a - b) }));
    const all = {
      kind: 'total',
      latencies: rows.flatMap((row) => row.latencies).sort((a, b) => a - b),
      statuses: sumMaps(rows.map((row) => row.statuses)),
      connectionErrors: sumMaps(rows.map((row) => row.connectionErrors)),
    };
    const statusesSeen = [...all.statuses.keys()].sort();
    printTable(
      ['kind', 'requests', 'requests/s', ...statusesSeen.map(String), '5xx', 'connection errors', 'p50 ms', 'p99 ms', 'max ms'],
      [...rows, all].map((row) => [
        row.kind,
        count(row.latencies.length),
        (row.latencies.length / seconds).toFixed(1),
        ...statusesSeen.map((status) => count(row.statuses.get(status) ?? 0)),
        count(sumWhere(row.statuses, (status) => status >= 500)),
        count(sumWhere(row.connectionErrors, () => true)),
        ms(percentile(row.latencies, 50)),
        ms(percentile(row.latencies, 99)),
        ms(row.latencies[row.latencies.length - 1]),
      ]),
    );
    const uploaded = (tallies.get('uploads')!.statuses.get(201) ?? 0) * SUB_BATCH;
    console.log(
      `\n${count(uploaded / seconds)} documents/s re-uploaded; writes run again after a conflict: ${retries.length ? retries.join(', ') : 'none'}. ` +
        `Service peak RSS ${Math.round(service.peakRssMb())} MB. ${engine}; API key required; LOG_LEVEL=warn.`,
    );
    console.log(
      `Node ${process.version}, ${cpus().length} × ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GiB; ` +
        `load average ${loadBefore[0].toFixed(2)} before, ${loadavg()[0].toFixed(2)} after (1 min).`,
    );
    const unexpected = rows.flatMap((row) =>
      [...row.statuses].filter(([status]) => !EXPECTED[row.kind].includes(status)).map(([status, n]) => `${row.kind} ${status} × ${n}`),
    );
    const errors = [...all.connectionErrors].map(([error, n]) => `${error} × ${n}`);
    if (unexpected.length > 0 || errors.length > 0) {
      const problems = service
        .output()
        .split('\n')
        .filter((line) => /"level":(40|50|60)/.test(line));
      console.error(`FAILED: unexpected answers ${JSON.stringify(unexpected)}, connection errors ${JSON.stringify(errors)}`);
      console.error(problems.slice(0, 20).join('\n'));
      process.exitCode = 1;
    }
  } finally {
    await service.stop();
  }
}

function sumMaps<K>(maps: Map<K, number>[]): Map<K, number> {
  const sum = new Map<K, number>();
  for (const map of maps) for (const [key, value] of map) sum.set(key, (sum.get(key) ?? 0) + value);
  return sum;
}

function sumWhere<K>(map: Map<K, number>, where: (key: K) => boolean): number {
  return [...map].filter(([key]) => where(key)).reduce((total, [, value]) => total + value, 0);
}
