import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, Socket } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';

import { BuiltService } from '../built-service';
import { BenchClient } from './http';
import { count, ms, percentile, printTable } from './report';
import { DOCUMENTS_PER_UPLOAD_TRANSFER, transferBody, UploadBodies } from './upload-bodies';

const SUB_BATCH = 5000;
/** Ample for the uploads one client sends back to back. */
const FRESH_DOCUMENTS_PER_SECOND = 100_000;
/** How often a slow keyless connection sends its next byte: often enough never to look stalled. */
const TRICKLE_MS = 500;

export interface StalledConnectionsOptions {
  /** A new, empty database for each phase. */
  databaseUrl: () => string;
  /** How long each phase runs. */
  seconds: number;
  /** Keyless connections held open in the second phase. */
  connections: number;
}

interface Phase {
  name: string;
  /** Response times of the uploads, in ms, sorted. */
  uploads: number[];
  /** Answers other than 201, by status. */
  refused: Record<string, number>;
  /** Keyless connections opened in all. */
  opened: number;
  /** The service's CPU time (user and system) over the phase, per upload: what the rest cost it, whatever else runs on the machine. */
  cpuMsPerUpload: number;
}

/**
 * One authenticated client uploads batches of 5000 documents back to back, one at a time, on a
 * fresh service: alone, then with `connections` keyless connections held open beside it. Half of
 * them declare a compressed body to `POST /health` and send nothing (`Content-Encoding: gzip`,
 * `Content-Length: 10`); the other half declare a plain 16 MiB body to `POST /health` and send
 * one byte every TRICKLE_MS. None closes its side of the connection; each is opened again once
 * the service's close reaches it (a reset, for the one still writing). The goal: the uploads'
 * latency is the same in both phases, and every upload is answered 201. The service's CPU time per
 * upload shows what the keyless connections cost it, apart from what else runs on the machine.
 */
export async function stalledConnections({ databaseUrl, seconds, connections }: StalledConnectionsOptions): Promise<void> {
  console.error(
    `${SUB_BATCH}-document uploads back to back for ${seconds} s, alone, then beside ${connections} keyless stalled or slow connections.`,
  );
  const phases = [
    await phase('uploads alone', databaseUrl(), seconds, 0),
    await phase(`uploads beside ${connections} keyless connections`, databaseUrl(), seconds, connections),
  ];
  printTable(
    ['phase', 'uploads', 'p50 ms', 'p99 ms', 'max ms', 'refused', 'service CPU ms per upload', 'keyless connections opened'],
    phases.map((row) => [
      row.name,
      count(row.uploads.length),
      ms(percentile(row.uploads, 50)),
      ms(percentile(row.uploads, 99)),
      ms(row.uploads[row.uploads.length - 1]),
      Object.entries(row.refused)
        .map(([status, times]) => `${times} × ${status}`)
        .join(', ') || '0',
      ms(row.cpuMsPerUpload),
      count(row.opened),
    ]),
  );
  console.log(
    `\nSQLite; API key required; LOG_LEVEL=error. Node ${process.version}, ${cpus().length} × ${cpus()[0].model}, ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB; load average ${loadavg()[0].toFixed(2)} (1 min).`,
  );
  if (phases.some((row) => Object.keys(row.refused).length > 0)) process.exitCode = 1;
}

async function phase(name: string, databaseUrl: string, seconds: number, connections: number): Promise<Phase> {
  const service = await BuiltService.startWithApiKey({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'error' });
  const uploader = new BenchClient(service.baseUrl, service.headers, 1);
  const keyless = new KeylessConnections(new URL(service.baseUrl), connections);
  try {
    const ubids = Array.from({ length: Math.ceil((FRESH_DOCUMENTS_PER_SECOND * seconds) / DOCUMENTS_PER_UPLOAD_TRANSFER) }, () =>
      randomUUID(),
    );
    for (const ubid of ubids) await service.send('POST', '/tracking/sms_transfers', transferBody(ubid, DOCUMENTS_PER_UPLOAD_TRANSFER));
    const bodies = new UploadBodies(ubids, SUB_BATCH);
    keyless.open();
    // Time for the keyless connections to take whatever they can before the first upload.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const latencies: number[] = [];
    const refused: Record<string, number> = {};
    const cpuBefore = cpuMs(service.pid);
    const until = Date.now() + seconds * 1000;
    while (Date.now() < until) {
      const answer = await uploader.send('POST', '/tracking/sms_documents', bodies.take());
      latencies.push(answer.ms);
      if (answer.status !== 201) refused[answer.status] = (refused[answer.status] ?? 0) + 1;
    }
    const cpuMsPerUpload = (cpuMs(service.pid) - cpuBefore) / latencies.length;
    return { name, uploads: latencies.sort((a, b) => a - b), refused, opened: keyless.opened, cpuMsPerUpload };
  } finally {
    keyless.close();
    uploader.close();
    await service.stop();
  }
}

/** A process's CPU time so far, user and system, in ms (from /proc; the kernel counts in ticks of 10 ms). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are the 14th and 15th fields of the line, the 12th and 13th after the name.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Keyless connections that declare a body and never finish it, each opened again once it has closed. */
class KeylessConnections {
  opened = 0;
  private closing = false;
  private readonly sockets = new Set<Socket>();

  constructor(
    private readonly url: URL,
    private readonly count: number,
  ) {}

  open(): void {
    for (let index = 0; index < this.count; index += 1) this.connect(index % 2 === 0);
  }

  close(): void {
    this.closing = true;
    this.sockets.forEach((socket) => socket.destroy());
  }

  private connect(stalled: boolean): void {
    this.opened += 1;
    // Half-open allowed: like a client that never finishes its request, it does not close its side
    // when the service has answered and closed its own.
    const socket = connect({ port: Number(this.url.port), host: this.url.hostname, allowHalfOpen: true });
    this.sockets.add(socket);
    const head = stalled
      ? 'Content-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: 10'
      : `Content-Type: application/json\r\nContent-Length: ${16 * 1024 * 1024}`;
    socket.write(`POST /health HTTP/1.1\r\nHost: ${this.url.host}\r\n${head}\r\n\r\n`);
    const trickle = stalled ? undefined : setInterval(() => socket.write(' '), TRICKLE_MS);
    socket.resume();
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(trickle);
      this.sockets.delete(socket);
      if (!this.closing) this.connect(stalled);
    });
  }
}
