/**
 * `npm run bench:queries [-- <DATABASE_URL>]`: how fast the tracking reads and writes of issue 6
 * answer on a batch of 1,000,000 documents, through the services and repositories the API uses
 * (no HTTP). Without an argument it runs on a new SQLite file in the temporary folder; with a
 * `postgres://…/<database>` URL on that (existing, empty) database. See docs/performance.md.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

import { AbstractLogger, Between, DataSource, LogLevel, LogMessage } from 'typeorm';

import { MIGRATIONS } from '../src/app/database/migrations';
import { ENTITIES } from '../src/app/entities';
import { loadConfig } from '../src/core/config/app-config';
import { parseDatabaseUrl } from '../src/core/config/database-url';
import { buildDataSourceOptions, initializeDataSource } from '../src/core/database/data-source-options';
import { TransactionContext } from '../src/core/database/transaction-context';
import { TypeOrmUnitOfWork } from '../src/core/database/typeorm-unit-of-work';
import { Metrics } from '../src/core/metrics/metrics';
import { generateDocuments, referenceDocument } from '../src/loader/document-generator';
import { toDocumentBatch } from '../src/sms-document/domain/document-batch';
import { ReceiptsService } from '../src/sms-document/receipts/receipts.service';
import { TypeOrmReceiptRepository } from '../src/sms-document/receipts/typeorm-receipt.repository';
import { SmsDocumentEntity } from '../src/sms-document/sms-document.entity';
import { SmsDocumentService } from '../src/sms-document/sms-document.service';
import { TypeOrmSmsDocumentRepository } from '../src/sms-document/typeorm-sms-document.repository';
import { SmsTransferService } from '../src/sms-transfer/sms-transfer.service';
import { TypeOrmSmsTransferRepository } from '../src/sms-transfer/typeorm-sms-transfer.repository';
import { TrackingState } from '../src/tracking/tracking-state';

const DOCUMENTS = 1_000_000;
/** The batch's states by uniqueId range: 500,000 DONE, then 400,000 SENT, then 100,000 INIT. */
const DONE_UP_TO = 500_000;
const SENT_UP_TO = 900_000;
/** Another batch in the same table, so that every read has to pick its batch out. */
const OTHER_DOCUMENTS = 200_000;
const SUB_BATCH = 5000;
const RUNS = 5;

const id = (index: number) => referenceDocument(index).uniqueId;

/** Remembers the last statement and its parameters, to show its plan. */
class LastQuery extends AbstractLogger {
  query = '';
  parameters: unknown[] = [];

  override logQuery(query: string, parameters?: unknown[]): void {
    if (!/^(START|BEGIN|COMMIT)/.test(query)) [this.query, this.parameters] = [query, parameters ?? []];
  }

  protected writeLog(_level: LogLevel, _message: LogMessage | LogMessage[]): void {}
}

async function timed(name: string, work: () => Promise<unknown>, runs = RUNS): Promise<number> {
  const times: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const start = process.hrtime.bigint();
    await work();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(runs / 2)];
  console.log(`| ${name} | ${median.toFixed(1)} ms | ${times.map((time) => time.toFixed(0)).join(', ')} |`);
  return median;
}

async function load(documents: SmsDocumentService, ubid: string, count: number): Promise<void> {
  let batch = [];
  for (const document of generateDocuments(count)) {
    batch.push(document);
    if (batch.length === SUB_BATCH) {
      await documents.upsert(toDocumentBatch(ubid, batch));
      batch = [];
    }
  }
  if (batch.length > 0) await documents.upsert(toDocumentBatch(ubid, batch));
}

/** The plan of the last statement; on PostgreSQL with what it did, for reads (ANALYZE would run a write again). */
async function plan(dataSource: DataSource, last: LastQuery): Promise<string> {
  const postgres = dataSource.options.type === 'postgres';
  const explain = postgres ? `EXPLAIN (${last.query.startsWith('SELECT') ? 'ANALYZE, ' : ''}COSTS OFF)` : 'EXPLAIN QUERY PLAN';
  const rows: Record<string, unknown>[] = await dataSource.query(`${explain} ${last.query}`, last.parameters);
  // A bound array of 5000 ids is printed in full in the plan: cut the long lines.
  return rows.map((row) => `    ${String(postgres ? row['QUERY PLAN'] : row.detail).slice(0, 200)}`).join('\n');
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'tracking-queries-'));
  const url = process.argv[2] ?? `sqlite:${join(folder, 'tracking.db')}`;
  const config = parseDatabaseUrl(url);
  const last = new LastQuery();
  const dataSource = await initializeDataSource(
    buildDataSourceOptions(config, { migrations: MIGRATIONS, entities: ENTITIES, logger: last }),
    config,
  );
  try {
    const context = new TransactionContext();
    const metrics = new Metrics(false);
    const unitOfWork = new TypeOrmUnitOfWork(dataSource, context);
    const transferRepository = new TypeOrmSmsTransferRepository(context);
    const documentRepository = new TypeOrmSmsDocumentRepository(context);
    const receipts = new ReceiptsService(
      new TypeOrmReceiptRepository(context),
      documentRepository,
      transferRepository,
      unitOfWork,
      metrics,
      loadConfig({}),
    );
    const documents = new SmsDocumentService(documentRepository, transferRepository, receipts, unitOfWork, metrics);
    const transfers = new SmsTransferService(transferRepository, unitOfWork, metrics);
    const [ubid, other] = [randomUUID(), randomUUID()];
    for (const UBID of [ubid, other])
      await transfers.create({ UBID, fileName: 'bench.json', origName: 'bench.csv', documents: DOCUMENTS, SMScount: DOCUMENTS });

    const start = Date.now();
    await load(documents, ubid, DOCUMENTS);
    await load(documents, other, OTHER_DOCUMENTS);
    const setState = (state: TrackingState, from: number, to: number) =>
      dataSource
        .createQueryBuilder()
        .update(SmsDocumentEntity)
        .set({ state })
        .where({ UBID: ubid, uniqueId: Between(id(from), id(to - 1)) })
        .execute();
    await setState(TrackingState.DONE, 0, DONE_UP_TO);
    await setState(TrackingState.SENT, DONE_UP_TO, SENT_UP_TO);
    console.log(
      `${url.startsWith('postgres') ? 'PostgreSQL' : 'SQLite file'}: ${DOCUMENTS.toLocaleString('en')} documents in the batch (500,000 DONE, 400,000 SENT, 100,000 INIT) and ${OTHER_DOCUMENTS.toLocaleString('en')} in another, loaded in ${((Date.now() - start) / 1000).toFixed(0)} s.`,
    );
    console.log(`Node ${process.version}, ${cpus().length} × ${cpus()[0].model}. Median of ${RUNS} runs, then every run.\n`);

    const measureAll = async (when: string) => {
      console.log(`${when}\n\n| measure | median | runs |\n| --- | --- | --- |`);
      await timed('summary (counts per state, last change)', () => documents.summarize(ubid));
      const summaryPlan = await plan(dataSource, last);
      await timed('first page of SENT (1000)', () => documents.list(ubid, { state: TrackingState.SENT, limit: 1000 }));
      await timed('last page of SENT (1000, after the 399,000th)', () =>
        documents.list(ubid, { state: TrackingState.SENT, limit: 1000, after: id(SENT_UP_TO - 1001) }),
      );
      const pagePlan = await plan(dataSource, last);
      await timed('one document with its data', () => documents.get(ubid, id(DOCUMENTS - 1)));
      await timed(
        'all 400,000 SENT, 80 pages of 5000',
        async () => {
          let after: string | undefined;
          do after = (await documents.list(ubid, { state: TrackingState.SENT, limit: 5000, after })).next ?? undefined;
          while (after);
        },
        1,
      );
      await timed('fallback (count not DONE, store it)', () => transfers.computeFallback(ubid));
      console.log(`\nPlans:\n  summary\n${summaryPlan}\n  last page\n${pagePlan}\n`);
    };
    await measureAll('Right after loading:');

    // Receipts for INIT documents that change each run, so that every run really moves 5000 rows.
    let next = SENT_UP_TO;
    await timed('receipts: 5000 INIT documents to SENT', () =>
      documents.recordReceipts(
        ubid,
        TrackingState.SENT,
        Array.from({ length: 5000 }, () => id(next++)),
      ),
    );
    console.log(`| receipts plan |\n${await plan(dataSource, last)}`);

    if (config.engine === 'postgres') {
      // What autovacuum does in time: statistics, and the visibility map that lets reads skip the table.
      await dataSource.query('VACUUM ANALYZE "sms_documents"');
      await measureAll('\nAfter VACUUM ANALYZE (as autovacuum leaves it):');
    }
  } finally {
    await dataSource.destroy();
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
