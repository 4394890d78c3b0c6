/**
 * `npm run bench:export`: exports a batch of 1,000,000 documents from the built service on a
 * SQLite file, as NDJSON and as CSV, through the loader (`--export`), and reports the rate and how
 * much the service's resident memory grew over its idle size. See docs/performance.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { exportDocuments, load } from '../src/loader/command';
import { ExportFormat } from '../src/sms-document/export/document-export';
import { BuiltService } from './built-service';

const DOCUMENTS = Number(process.argv[2] ?? 1_000_000);
const quiet = () => undefined;

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'tracking-export-bench-'));
  const env = { DATABASE_URL: `sqlite:${join(folder, 'tracking.db')}`, LOG_LEVEL: 'warn' };
  const ubid = randomUUID();
  try {
    let service = await BuiltService.start(env);
    console.error(`loading ${DOCUMENTS.toLocaleString('en')} documents…`);
    await load({ url: service.baseUrl, ubid, count: DOCUMENTS, batchSize: 5000, concurrency: 4, retries: 3, timeoutMs: 60_000 }, quiet);
    // A fresh process, so that the idle size holds nothing the uploads left behind.
    await service.stop();
    service = await BuiltService.start(env);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    console.log(`| format | documents | seconds | docs/s | MB/s | idle RSS | peak RSS | growth |`);
    console.log(`| --- | --- | --- | --- | --- | --- | --- | --- |`);
    for (const format of ['ndjson', 'csv'] as ExportFormat[]) {
      const idle = service.rssMb();
      let peak = idle;
      const sampler = setInterval(() => (peak = Math.max(peak, service.rssMb())), 50);
      const output = join(folder, `export.${format}`);
      const { bytes, seconds } = await exportDocuments(
        { url: service.baseUrl, retries: 0, timeoutMs: 60_000, ubid, format, output },
        quiet,
      );
      clearInterval(sampler);
      peak = Math.max(peak, service.rssMb());
      console.log(
        `| ${format} | ${DOCUMENTS.toLocaleString('en')} | ${seconds.toFixed(1)} | ${Math.round(DOCUMENTS / seconds).toLocaleString('en')} | ${(bytes / 1e6 / seconds).toFixed(1)} | ${idle.toFixed(0)} MB | ${peak.toFixed(0)} MB | ${(peak - idle).toFixed(0)} MB |`,
      );
      rmSync(output);
    }
    await service.stop();
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

void main();
