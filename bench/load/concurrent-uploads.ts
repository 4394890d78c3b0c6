import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { cpus, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

import { BuiltService } from '../built-service';
import { count, printTable } from './report';
import { transferBody } from './upload-bodies';

/** How long after the load the service's memory is watched. */
const SETTLE_SECONDS = 30;
/** The memory goal after the load (issue: RSS back under 250 MB within 30 s). */
const SETTLED_RSS_MB = 250;

export interface ConcurrentUploadsOptions {
  /** A new, empty database for each run. */
  databaseUrl: () => string;
  /** How many uploads at once, one run each. */
  counts: number[];
}

/** 5000 documents with about 2.9 KB of data each: a body of about 14 MB, near the 16 MiB limit. */
function maximalBody(ubid: string): Buffer {
  const text = 'Your parcel is on its way and arrives today between 10:00 and 12:00. '.repeat(41);
  const documents = Array.from({ length: 5000 }, (_, index) => ({
    uniqueId: String(index).padStart(10, '0'),
    SMScount: 1 + (index % 3),
    data: { phone: `+49170${String(index).padStart(7, '0')}`, text, meta: { campaign: 'maximal', priority: index % 5 } },
  }));
  return Buffer.from(JSON.stringify({ UBID: ubid, documents }));
}

interface Outcome {
  /** The answer's status, if the client read one. */
  status?: number;
  retryAfter?: string;
  /** The connection failed (EPIPE, ECONNRESET, …), before or after an answer. */
  error?: string;
}

/**
 * One upload on a connection of its own; resolves once the connection has closed, with the answer
 * the client read, if any, and any connection error.
 */
function post(service: BuiltService, agent: Agent, body: Buffer): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = {};
    const headers = { ...service.headers, 'content-type': 'application/json', 'content-length': String(body.length) };
    const req = request(`${service.baseUrl}/tracking/sms_documents`, { method: 'POST', agent, headers }, (res) => {
      res.resume();
      res.on('end', () => Object.assign(outcome, { status: res.statusCode, retryAfter: res.headers['retry-after'] }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => (outcome.error ??= error.code ?? error.message));
    req.on('close', () => resolve(outcome));
    req.end(body);
  });
}

/**
 * N maximal uploads (≈ 14 MB each) sent at once, each on its own connection, to a fresh service:
 * how each is answered (201, or 503 with Retry-After once the body budget is full), how many
 * connections failed (a client that gets EPIPE or ECONNRESET may never read its answer), the
 * service's peak resident memory, and its memory for 30 s afterwards.
 */
export async function concurrentUploads({ databaseUrl, counts }: ConcurrentUploadsOptions): Promise<void> {
  const rows: string[][] = [];
  const failures: string[] = [];
  for (const uploads of counts) {
    const service = await BuiltService.startWithApiKey({ DATABASE_URL: databaseUrl(), LOG_LEVEL: 'error' });
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    try {
      const ubid = randomUUID();
      await service.send('POST', '/tracking/sms_transfers', transferBody(ubid, 5000));
      const body = maximalBody(ubid);
      const idleMb = service.rssMb();
      console.error(`${uploads} uploads of ${(body.length / 1e6).toFixed(1)} MB at once; service idle at ${Math.round(idleMb)} MB…`);

      const started = Date.now();
      const outcomes = await Promise.all(Array.from({ length: uploads }, () => post(service, agent, body)));
      const seconds = (Date.now() - started) / 1000;
      const peakMb = service.peakRssMb();

      let settledAfter: number | undefined;
      for (let second = 1; second <= SETTLE_SECONDS; second += 1) {
        await sleep(1000);
        if (settledAfter === undefined && service.rssMb() < SETTLED_RSS_MB) settledAfter = second;
      }
      const tally = (match: (outcome: Outcome) => boolean) => outcomes.filter(match).length;
      outcomes.forEach(({ error }) => error && failures.push(error));
      const busy = (o: Outcome) => o.status === 503 && o.retryAfter !== undefined;
      rows.push([
        String(uploads),
        count(tally((o) => o.status === 201)),
        count(tally(busy)),
        count(tally((o) => o.status !== undefined && o.status !== 201 && !busy(o))),
        count(tally((o) => o.status === undefined)),
        count(tally((o) => o.error !== undefined)),
        seconds.toFixed(1),
        count(idleMb),
        count(peakMb),
        count(service.rssMb()),
        settledAfter === undefined ? `> ${SETTLE_SECONDS} s` : `${settledAfter} s`,
      ]);
    } finally {
      agent.destroy();
      await service.stop();
    }
  }
  printTable(
    [
      'uploads at once',
      '201',
      '503 + Retry-After',
      'other answers',
      'no answer',
      'connection errors',
      'seconds',
      'idle RSS MB',
      'peak RSS MB',
      `RSS after ${SETTLE_SECONDS} s MB`,
      `under ${SETTLED_RSS_MB} MB after`,
    ],
    rows,
  );
  const errors = [...new Set(failures)];
  if (errors.length > 0) console.log(`\nConnection errors: ${errors.join(', ')}.`);
  console.log(
    `\nEach run on a fresh service and SQLite file; LOG_LEVEL=error. Node ${process.version}, ${cpus().length} × ${cpus()[0].model}, ${Math.round(totalmem() / 2 ** 30)} GiB.`,
  );
}
