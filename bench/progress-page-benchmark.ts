// `npm run bench:progress`: what 50 open progress pages cost the service, and its API, on one
// batch of 400,000 documents (docs/progress-page.md). The service runs in this process, on a
// SQLite file; the pages and a latency probe run in a child process (bench/progress/page-clients.js),
// so that this process's CPU time is the service's. Scenarios, each with a fresh window of
// measurement, while a gateway posts receipts (the figures keep changing), then on an idle batch:
//   no pages       the probe alone
//   poll, no cache 50 pages polling every 2 s, each poll counting the batch
//   poll, cache    the same through the SummaryCache (the service as it ships)
//   SSE, cache     50 server-sent-event streams instead, pushed when the summary changes
//                  (a prototype, here only: one timer per batch reads the same cache every 2 s)
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';

import { INestApplication } from '@nestjs/common';

import { ProgressService } from '../src/progress-page/progress.service';
import { SUMMARY_FRESHNESS, SummaryCache } from '../src/progress-page/summary-cache';
import { SmsDocumentRepository } from '../src/sms-document/sms-document.repository';
import { createTestApp } from '../tools/app-in-process';
import { count, ms, percentile, printTable } from './load/report';
import { documentsJson, transferBody, uploadBody } from './load/upload-bodies';

const DOCUMENTS = Number(process.env.DOCUMENTS ?? 400_000);
const PAGES = Number(process.env.PAGES ?? 50);
const SECONDS = Number(process.env.SECONDS ?? 20);
const POLL_MS = 2000;
const BIG = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const SMALL = '5a0f9d2e-3b7c-4e1a-8d6f-2c9b0e4a7f13';
/** The probed route: a read of another batch, which shares the read connections with the summaries. */
const PROBE = `/tracking/sms_documents/${SMALL}/documents?limit=100`;

type Scenario = { name: string; mode: 'none' | 'poll' | 'sse'; cached: boolean; receipts: boolean };
const SCENARIOS: Scenario[] = [
  { name: 'no pages', mode: 'none', cached: true, receipts: true },
  { name: 'poll, no cache', mode: 'poll', cached: false, receipts: true },
  { name: 'poll, cache', mode: 'poll', cached: true, receipts: true },
  { name: 'SSE, cache', mode: 'sse', cached: true, receipts: true },
  { name: 'idle: no pages', mode: 'none', cached: true, receipts: false },
  { name: 'idle: poll, cache', mode: 'poll', cached: true, receipts: false },
  { name: 'idle: SSE, cache', mode: 'sse', cached: true, receipts: false },
];

/** The shipped cache, or none at all (every poll counts), switched between scenarios. */
class SwitchableCache extends SummaryCache {
  cached = true;
  override get(key: string, load: () => Promise<never>) {
    return this.cached ? super.get(key, load) : load();
  }
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'tracking-progress-bench-'));
  const cache = new SwitchableCache(SUMMARY_FRESHNESS);
  const app = await createTestApp([{ provide: SummaryCache, useValue: cache }], `sqlite:${join(folder, 'tracking.db')}`);
  await app.listen(0, '127.0.0.1');
  const server = app.getHttpServer() as Server;
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await fill(baseUrl);
    const counted = countSummaries(app);
    const sse = await sseServer(app.get(ProgressService));
    const rows: string[][] = [];
    for (const scenario of SCENARIOS) {
      cache.cached = scenario.cached;
      rows.push(await run(scenario, baseUrl, sse.port, counted));
      console.log(`${scenario.name}: done`);
    }
    sse.close();
    console.log(
      `\n${PAGES} pages on a batch of ${count(DOCUMENTS)} documents, ${SECONDS} s per scenario; probe: GET ${PROBE.replace(SMALL, '{ubid}')} every 100 ms\n`,
    );
    printTable(
      [
        'scenario',
        'summaries counted /s',
        'page requests /s (200 / 304)',
        'SSE events',
        'service CPU',
        'loop delay p99',
        'probe p50',
        'p95',
        'p99',
        'max',
      ],
      rows,
    );
  } finally {
    await app.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function fill(baseUrl: string): Promise<void> {
  const send = async (path: string, body: string | Buffer) => {
    const response = await fetch(`${baseUrl}/tracking/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  };
  const started = Date.now();
  await send('sms_transfers', transferBody(BIG, DOCUMENTS));
  await send('sms_transfers', transferBody(SMALL, 1000));
  await send('sms_documents', uploadBody(SMALL, documentsJson(0, 1000)));
  for (let from = 0; from < DOCUMENTS; from += 5000)
    await send('sms_documents', uploadBody(BIG, documentsJson(from, Math.min(5000, DOCUMENTS - from))));
  console.log(`Uploaded ${count(DOCUMENTS)} documents in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The database's summary counts, by wrapping the repository's. */
function countSummaries(app: INestApplication): { total: number } {
  const counted = { total: 0 };
  const repository = app.get(SmsDocumentRepository);
  const countStates = repository.countStates.bind(repository);
  repository.countStates = (ubid: string) => {
    counted.total += 1;
    return countStates(ubid);
  };
  return counted;
}

/** The SSE prototype: per batch with listeners, one timer that reads the (cached) progress and pushes it when it changed. */
async function sseServer(progress: ProgressService) {
  const listeners = new Map<string, Set<ServerResponse>>();
  const last = new Map<string, string>();
  const push = async () => {
    for (const [ubid, responses] of listeners) {
      const data = JSON.stringify(await progress.get(ubid));
      if (data === last.get(ubid)) continue;
      last.set(ubid, data);
      for (const response of responses) response.write(`data: ${data}\n\n`);
    }
  };
  const timer = setInterval(() => void push(), POLL_MS);
  // A new stream gets the progress at once, as a page opening needs it.
  const subscribe = async (request: IncomingMessage, response: ServerResponse) => {
    const ubid = request.url!.split('/').pop()!;
    response.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
    response.write(`data: ${JSON.stringify(await progress.get(ubid))}\n\n`);
    const set = listeners.get(ubid) ?? new Set();
    listeners.set(ubid, set.add(response));
    request.on('close', () => set.delete(response));
  };
  const server = createServer((request, response) => void subscribe(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () => {
      clearInterval(timer);
      server.closeAllConnections();
      server.close();
    },
  };
}

async function run(scenario: Scenario, baseUrl: string, ssePort: number, counted: { total: number }): Promise<string[]> {
  const gateway = scenario.receipts ? receipts(baseUrl) : null;
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const countedBefore = counted.total;
  const cpuBefore = process.cpuUsage();
  const started = Date.now();
  const output = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      [
        join(__dirname, 'progress', 'page-clients.js'),
        baseUrl,
        scenario.mode,
        String(PAGES),
        String(POLL_MS),
        String(SECONDS * 1000),
        BIG,
        PROBE,
        String(ssePort),
      ],
      (error: Error | null, stdout: string) => (error ? reject(error) : resolve(stdout)),
    ),
  );
  const seconds = (Date.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  loop.disable();
  await gateway?.stop();
  const { statuses, events, probes } = JSON.parse(output) as { statuses: Record<string, number>; events: number; probes: number[] };
  const sorted = probes.sort((a, b) => a - b);
  const ok = statuses['200'] ?? 0;
  const notModified = statuses['304'] ?? 0;
  return [
    scenario.name,
    ((counted.total - countedBefore) / seconds).toFixed(1),
    scenario.mode === 'poll' ? `${((ok + notModified) / seconds).toFixed(1)} (${ok} / ${notModified})` : '',
    scenario.mode === 'sse' ? String(events) : '',
    `${Math.round((100 * (cpu.user + cpu.system)) / 1e6 / seconds)} %`,
    ms(loop.percentile(99) / 1e6),
    ms(percentile(sorted, 50)),
    ms(percentile(sorted, 95)),
    ms(percentile(sorted, 99)),
    ms(sorted[sorted.length - 1]),
  ];
}

/** A gateway's receipts, 1000 documents every 500 ms: SENT for the next ones, DONE for those sent before. */
let cursor = 0;
function receipts(baseUrl: string) {
  let running = true;
  const post = (state: string, from: number) =>
    fetch(`${baseUrl}/tracking/sms_documents/${BIG}/receipts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        state,
        uniqueIds: Array.from({ length: 1000 }, (_, offset) => String((from + offset) % DOCUMENTS).padStart(10, '0')),
      }),
    });
  const done = (async () => {
    while (running) {
      await post('SENT', cursor + 1000);
      await post('DONE', cursor);
      cursor += 1000;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
    },
  };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
