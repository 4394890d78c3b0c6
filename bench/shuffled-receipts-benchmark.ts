/**
 * `npm run bench:receipts:shuffled`: delivery receipts in any order end the same. One seeded plan
 * of receipts (bench/load/receipt-plan.ts) sent twice through `POST /tracking/receipts`, each run on
 * a fresh built service and database: in order (every document submitted first, each document's
 * reports in their natural order), then shuffled, with duplicates and a share of the documents
 * submitted only after all their receipts (which wait as pending receipts until then). Every
 * document's state, outcome, error code and time are read back through the listing and compared;
 * any difference fails the run. See docs/performance.md#delivery-receipts-in-any-order.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

import { createDatabase } from '../test/helpers/test-database';
import { BuiltService } from './built-service';
import { exitOnHelp, integerOption } from './load/cli-options';
import { engineVersion } from './load/engine';
import { DocumentEnd, expectedEnd, inOrderRequests, LateDocuments, planReceipts, ReceiptPlan } from './load/receipt-plan';
import { count, printTable } from './load/report';
import { createTransferWithDocuments, MessageSubmission, referenceUniqueId, SUB_BATCH, submitMessages } from './load/submissions';

const USAGE = `Usage: npm run bench:receipts:shuffled -- [--documents <n>] [--transfer <n>] [--in-flight <n>] [--seed <n>] [--postgres <url>] [--no-sqlite]

  --documents <n>   documents, each with its own reports (default 1000000)
  --transfer <n>    documents per transfer (default 100000)
  --in-flight <n>   requests in flight, each up to 5000 receipts or a submission (default 4)
  --seed <n>        the plan's seed (default 26)
  --postgres <url>  also on PostgreSQL: a server whose user may create databases; each run gets one of its own, dropped at the end
  --no-sqlite       PostgreSQL only`;

const GATEWAY = 'bridge';
const DUPLICATE_SHARE = 0.1;
const LATE_SHARE = 0.1;
/** How many differences a failed comparison prints. */
const SHOWN_DIFFERENCES = 10;

interface Options {
  documents: number;
  transfer: number;
  inFlight: number;
  seed: number;
  postgres?: string;
  sqlite: boolean;
}

/** What one run did and how each document ended. */
interface Run {
  receipts: number;
  seconds: number;
  results: Record<'applied' | 'unchanged' | 'pending', number>;
  /** Pending receipts the late submissions applied. */
  appliedBySubmissions: number;
  ends: DocumentEnd[];
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      documents: { type: 'string', default: '1000000' },
      transfer: { type: 'string', default: '100000' },
      'in-flight': { type: 'string', default: '4' },
      seed: { type: 'string', default: '26' },
      postgres: { type: 'string' },
      'no-sqlite': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  exitOnHelp(USAGE, values.help);
  const integer = integerOption(USAGE);
  if (values['no-sqlite'] && !values.postgres) {
    console.error(`--no-sqlite needs --postgres\n\n${USAGE}`);
    process.exit(2);
  }
  return {
    documents: integer('documents', values.documents, 10_000_000),
    transfer: integer('transfer', values.transfer, 1_000_000),
    // The built service's keep-alive agent opens up to 16 sockets.
    inFlight: integer('in-flight', values['in-flight'], 16),
    seed: integer('seed', values.seed, 2 ** 31),
    postgres: values.postgres,
    sqlite: !values['no-sqlite'],
  };
}

/**
 * One run of the plan on a fresh service: the transfers and their documents, the submissions,
 * the receipts, then every document read back. `shuffled` chooses the order.
 */
class PlanRun {
  private readonly ubids: string[];
  private readonly results = { applied: 0, unchanged: 0, pending: 0 };
  private appliedBySubmissions = 0;

  constructor(
    private readonly service: BuiltService,
    private readonly plan: ReceiptPlan,
    private readonly options: Options,
  ) {
    this.ubids = Array.from({ length: Math.ceil(plan.documents / options.transfer) }, () => randomUUID());
  }

  async run(shuffled: boolean): Promise<Run> {
    for (const [transfer, ubid] of this.ubids.entries()) {
      await createTransferWithDocuments(
        this.service,
        ubid,
        Math.min(this.options.transfer, this.plan.documents - transfer * this.options.transfer),
      );
    }
    const documents = Array.from({ length: this.plan.documents }, (_, document) => document);
    await this.submit(shuffled ? documents.filter((document) => !this.plan.late[document]) : documents);
    const started = process.hrtime.bigint();
    const receipts = shuffled ? await this.sendShuffled() : await this.sendInOrder();
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { receipts, seconds, results: this.results, appliedBySubmissions: this.appliedBySubmissions, ends: await this.readBack() };
  }

  private async sendInOrder(): Promise<number> {
    const requests = inOrderRequests(this.plan, SUB_BATCH);
    let next = 0;
    await this.inFlight(async () => {
      while (next < requests.length) await this.sendReceipts(requests[next++]);
    });
    return this.plan.receipts.length;
  }

  /**
   * The shuffled order in requests of 5000; each late document is submitted as soon as all its
   * receipts were answered, 5000 at a time, between the requests of receipts.
   */
  private async sendShuffled(): Promise<number> {
    const late = new LateDocuments(this.plan);
    const ready = late.withoutReceipts();
    let next = 0;
    await this.inFlight(async () => {
      while (next < this.plan.shuffled.length || ready.length >= SUB_BATCH) {
        if (ready.length >= SUB_BATCH) await this.submit(ready.splice(0, SUB_BATCH));
        else {
          const request = this.plan.shuffled.subarray(next, next + SUB_BATCH);
          next += request.length;
          await this.sendReceipts(request);
          ready.push(...late.answered(request));
        }
      }
    });
    await this.submit(ready);
    return this.plan.shuffled.length;
  }

  /** Runs `worker` `--in-flight` times side by side. */
  private async inFlight(worker: () => Promise<void>): Promise<void> {
    await Promise.all(Array.from({ length: this.options.inFlight }, worker));
  }

  private async sendReceipts(indexes: Uint32Array): Promise<void> {
    const body = JSON.stringify(
      Array.from(indexes, (index) => {
        const { document, status, errorCode, doneAt } = this.plan.receipts[index];
        // Every third in upper case: ids compare case-insensitively.
        const messageId = document % 3 === 0 ? messageIdOf(document).toUpperCase() : messageIdOf(document);
        return { gateway: GATEWAY, messageId, status, ...(errorCode !== null && { errorCode }), ...(doneAt !== null && { doneAt }) };
      }),
    );
    const answers = JSON.parse(await this.service.send('POST', '/tracking/receipts', body)) as { result: keyof Run['results'] }[];
    for (const { result } of answers) this.results[result]++;
  }

  /** Submissions of these documents (of any transfers), grouped by transfer. */
  private async submit(documents: number[]): Promise<void> {
    const perTransfer = new Map<number, MessageSubmission[]>();
    for (const document of documents) {
      const transfer = Math.floor(document / this.options.transfer);
      const messages = perTransfer.get(transfer) ?? perTransfer.set(transfer, []).get(transfer)!;
      messages.push({ uniqueId: referenceUniqueId(document % this.options.transfer), messageId: messageIdOf(document) });
    }
    for (const [transfer, messages] of perTransfer) {
      // Awaited first: `+=` would read the sum before the await, and lose what submissions side by side add meanwhile.
      const applied = await submitMessages(this.service, this.ubids[transfer], GATEWAY, messages);
      this.appliedBySubmissions += applied;
    }
  }

  /** Every document's end, through the listing, a page of 5000 at a time. */
  private async readBack(): Promise<DocumentEnd[]> {
    const ends: DocumentEnd[] = new Array<DocumentEnd>(this.plan.documents);
    for (const [transfer, ubid] of this.ubids.entries()) {
      let after: string | null = '';
      while (after !== null) {
        const path = `/tracking/sms_documents/${ubid}/documents?limit=${SUB_BATCH}${after ? `&after=${after}` : ''}`;
        const page = JSON.parse(await this.service.send('GET', path)) as {
          items: ({ uniqueId: string } & DocumentEnd)[];
          next: string | null;
        };
        for (const { uniqueId, state, outcome, errorCode, doneAt } of page.items) {
          ends[transfer * this.options.transfer + Number(uniqueId)] = { state, outcome, errorCode, doneAt };
        }
        after = page.next;
      }
    }
    return ends;
  }
}

/** The gateway's id of a document's message. */
const messageIdOf = (document: number) => `msg-${document.toString(16).padStart(8, '0')}`;

/** The documents whose ends differ, the first `SHOWN_DIFFERENCES` described. */
function differences(expected: DocumentEnd[], actual: DocumentEnd[]): { count: number; shown: string[] } {
  const shown: string[] = [];
  let differing = 0;
  for (const [document, end] of expected.entries()) {
    const other = actual[document];
    if (JSON.stringify(end) === JSON.stringify(other)) continue;
    if (++differing <= SHOWN_DIFFERENCES) shown.push(`document ${document}: ${JSON.stringify(end)} against ${JSON.stringify(other)}`);
  }
  return { count: differing, shown };
}

/** Fails loudly: the differences, a non-zero exit. */
function check(title: string, expected: DocumentEnd[], actual: DocumentEnd[]): boolean {
  const { count: differing, shown } = differences(expected, actual);
  if (differing === 0) return true;
  console.error(`\n${title}: ${count(differing)} document(s) differ (first ${shown.length}: expected against found)\n${shown.join('\n')}`);
  process.exitCode = 1;
  return false;
}

async function onEngine(name: string, kind: 'sqlite-file' | 'postgres', plan: ReceiptPlan, options: Options): Promise<void> {
  const runs: Run[] = [];
  for (const shuffled of [false, true]) {
    const database = await createDatabase(kind, options.postgres);
    try {
      if (!shuffled) console.log(`\n## ${name} (${await engineVersion(database.url)})\n`);
      const service = await BuiltService.start({ DATABASE_URL: database.url });
      try {
        runs.push(await new PlanRun(service, plan, options).run(shuffled));
      } finally {
        await service.stop();
      }
    } finally {
      await database.remove();
    }
  }
  const [inOrder, shuffled] = runs;
  const row = (title: string, { receipts, seconds, results, appliedBySubmissions }: Run) => [
    title,
    count(receipts),
    seconds.toFixed(1),
    count(receipts / seconds),
    count(results.applied),
    count(results.unchanged),
    count(results.pending),
    count(appliedBySubmissions),
  ];
  printTable(
    ['run', 'receipts sent', 'seconds', 'receipts/s', 'applied', 'unchanged', 'pending', 'applied by late submissions'],
    [row('in order', inOrder), row('shuffled', shuffled)],
  );
  const planned = check(`${name}: the in-order run against the plan`, expectedEnd(plan), inOrder.ends);
  const same = check(`${name}: the shuffled run against the in-order run`, inOrder.ends, shuffled.ends);
  const allApplied = shuffled.results.pending === shuffled.appliedBySubmissions;
  if (!allApplied) {
    console.error(
      `\n${name}: ${count(shuffled.results.pending)} receipts went pending, the submissions applied ${count(shuffled.appliedBySubmissions)}`,
    );
    process.exitCode = 1;
  }
  console.log(`\nSame outcomes: ${planned && same && allApplied ? 'yes' : 'NO'}`);
}

async function main(): Promise<void> {
  const options = parseOptions();
  const plan = planReceipts({ documents: options.documents, seed: options.seed, duplicateShare: DUPLICATE_SHARE, lateShare: LATE_SHARE });
  const lateDocuments = plan.late.reduce((sum, late) => sum + late, 0);
  console.log(
    `${count(plan.documents)} documents in transfers of ${count(options.transfer)}, ${count(plan.receipts.length)} reports, ` +
      `${count(plan.duplicates)} of them sent twice in the shuffled run, ${count(lateDocuments)} documents submitted after their receipts; ` +
      `seed ${options.seed}, ${options.inFlight} requests in flight`,
  );
  if (options.sqlite) await onEngine('SQLite file', 'sqlite-file', plan, options);
  if (options.postgres) await onEngine('PostgreSQL', 'postgres', plan, options);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
