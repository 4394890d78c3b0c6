import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

import { ExportFormat, TrackingState } from '@tracking-db/client';

import { NewSmsDocument } from '../sms-document/domain/sms-document';
import { MAX_DOCUMENTS_PER_REQUEST } from '../sms-document/dto/upsert-sms-documents.dto';
import { GATEWAY_NAME } from '../tracking/decorators';
import { readDocumentFile, summarizeDocumentFile } from './document-file';
import { generateDocuments, inSubBatches, referenceSmsCount } from './document-generator';
import { ExportRequest, ExportSummary, exportToFile } from './exporter';
import { DEFAULT_REQUEST_TIMEOUT_MS, LoaderApiClient } from './loader-api-client';
import { createProgress, Progress } from './progress';
import { DEFAULT_RETRY, withRetry } from './retry';
import { readSubmissionsFile } from './submissions-file';
import { sendSubBatches, uploadSubBatches } from './uploader';

const EXPORT_FORMATS: readonly ExportFormat[] = ['ndjson', 'csv'];
const STATES: readonly TrackingState[] = ['INIT', 'SENT', 'DONE'];

export const USAGE = `Usage: tracking-load [options] <count>
       tracking-load [options] --file <documents.json | documents.ndjson>
       tracking-load [options] --export <ubid> [--format ndjson|csv] [--state <state>] --output <file>
       tracking-load [options] --submissions <file> --ubid <uuid> --gateway <name>

Creates a transfer and uploads its documents in sub-batches: <count> generated reference
documents, or the documents of a JSON array or NDJSON file (checked in full before sending).
With --export, writes every document of a transfer, with its data, to a file instead.
With --submissions, gives the transfer's documents their message ids at a gateway (moving them to
SENT) from a file of uniqueId,messageId lines (a header line allowed), in sub-batches.

Options:
  --url <url>            the service (default http://localhost:7000)
  --ubid <uuid>          the transfer's UBID (default: a new UUID)
  --batch-size <n>       documents per request, 1 to ${MAX_DOCUMENTS_PER_REQUEST} (default ${MAX_DOCUMENTS_PER_REQUEST})
  --concurrency <n>      requests in flight (default 4)
  --retries <n>          retries per request after a connection error, a timeout, 429 or 5xx
                         (default ${DEFAULT_RETRY.attempts - 1}); a Retry-After from the service is honoured
  --timeout <s>          seconds to wait for each answer before trying again (default ${DEFAULT_REQUEST_TIMEOUT_MS / 1000})
  --api-key <key>        sent as "Authorization: Bearer <key>"
  --file <path>          upload this file instead of generated documents
  --export <ubid>        export this transfer's documents instead of uploading
  --format <format>      the export's format: ndjson (default) or csv
  --state <state>        export only the documents in this state: INIT, SENT or DONE
  --output <path>        the file the export is written to (required with --export)
  --submissions <path>   submit the message ids of this file instead of uploading
  --gateway <name>       the gateway the ids are from (required with --submissions): jasmin, kannel, twilio, …
  -h, --help             this text`;

/** A mistake in the command line: the usage text follows the message. */
export class UsageError extends Error {}

export interface LoadOptions {
  url: string;
  ubid: string;
  batchSize: number;
  concurrency: number;
  retries: number;
  timeoutMs: number;
  apiKey?: string;
  file?: string;
  count?: number;
}

export interface ExportOptions extends ExportRequest {
  url: string;
  retries: number;
  timeoutMs: number;
  apiKey?: string;
}

export interface SubmitOptions {
  url: string;
  ubid: string;
  gateway: string;
  submissions: string;
  batchSize: number;
  concurrency: number;
  retries: number;
  timeoutMs: number;
  apiKey?: string;
}

export function parseOptions(argv: string[]): LoadOptions | ExportOptions | SubmitOptions | 'help' {
  const { values, positionals } = parseCommandLine(argv);
  if (values.help) return 'help';
  const connection = {
    url: values.url,
    retries: integerOption('--retries', values.retries, 0, 100),
    timeoutMs: integerOption('--timeout', values.timeout, 1, 3600) * 1000,
    apiKey: values['api-key'],
  };
  if (values.export !== undefined) {
    if (values.file !== undefined || positionals.length > 0) throw new UsageError('--export uploads nothing: give no <count> or --file');
    if (values.output === undefined) throw new UsageError('--export needs --output <file>');
    return {
      ...connection,
      ubid: values.export,
      format: choiceOption('--format', values.format ?? 'ndjson', EXPORT_FORMATS),
      state: values.state === undefined ? undefined : choiceOption('--state', values.state, STATES),
      output: values.output,
    };
  }
  const onlyForExport = (['format', 'state', 'output'] as const).find((name) => values[name] !== undefined);
  if (onlyForExport) throw new UsageError(`--${onlyForExport} only goes with --export`);
  const sending = {
    batchSize: integerOption('--batch-size', values['batch-size'], 1, MAX_DOCUMENTS_PER_REQUEST),
    concurrency: integerOption('--concurrency', values.concurrency, 1, 64),
  };
  if (values.submissions !== undefined) {
    if (values.file !== undefined || positionals.length > 0)
      throw new UsageError('--submissions uploads nothing: give no <count> or --file');
    if (values.ubid === undefined) throw new UsageError('--submissions needs --ubid <uuid>: the transfer whose documents were sent');
    if (values.gateway === undefined || !GATEWAY_NAME.test(values.gateway)) {
      throw new UsageError('--submissions needs --gateway <name>: 1 to 16 lower-case letters, digits, - or _');
    }
    return { ...connection, ...sending, ubid: values.ubid, gateway: values.gateway, submissions: values.submissions };
  }
  if (values.gateway !== undefined) throw new UsageError('--gateway only goes with --submissions');
  if (values.file ? positionals.length > 0 : positionals.length !== 1) {
    throw new UsageError(values.file ? 'give either <count> or --file, not both' : 'how many documents? give <count> or --file');
  }
  return {
    url: connection.url,
    ubid: values.ubid ?? randomUUID(),
    ...sending,
    retries: connection.retries,
    timeoutMs: connection.timeoutMs,
    apiKey: connection.apiKey,
    file: values.file,
    count: values.file ? undefined : integerOption('<count>', positionals[0], 1, Number.MAX_SAFE_INTEGER),
  };
}

/** Node's own parser; its complaints (an unknown option, a missing value) are usage errors too. */
function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string', default: 'http://localhost:7000' },
        ubid: { type: 'string' },
        'batch-size': { type: 'string', default: String(MAX_DOCUMENTS_PER_REQUEST) },
        concurrency: { type: 'string', default: '4' },
        retries: { type: 'string', default: String(DEFAULT_RETRY.attempts - 1) },
        timeout: { type: 'string', default: String(DEFAULT_REQUEST_TIMEOUT_MS / 1000) },
        'api-key': { type: 'string' },
        file: { type: 'string' },
        export: { type: 'string' },
        format: { type: 'string' },
        state: { type: 'string' },
        output: { type: 'string' },
        submissions: { type: 'string' },
        gateway: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function integerOption(name: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not '${raw}'`);
  }
  return value;
}

function choiceOption<T extends string>(name: string, raw: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(raw)) throw new UsageError(`${name} must be one of ${choices.join(', ')}, not '${raw}'`);
  return raw as T;
}

export interface LoadSummary {
  ubid: string;
  documents: number;
  subBatches: number;
  seconds: number;
}

type Log = (line: string) => void;
const toStderr: Log = (line) => process.stderr.write(`${line}\n`);

/** The client and the retry policy every command uses. */
function connect(options: LoadOptions | ExportOptions | SubmitOptions, log: Log) {
  const client = new LoaderApiClient(options.url, options.apiKey, options.timeoutMs);
  const retry = {
    ...DEFAULT_RETRY,
    attempts: options.retries + 1,
    onRetry: (error: Error, attempt: number, delayMs: number) => log(`retry ${attempt} in ${delayMs} ms: ${error.message}`),
  };
  return { client, retry };
}

/** Writes a transfer's documents to a file; see USAGE. */
export function exportDocuments(options: ExportOptions, log: Log = toStderr): Promise<ExportSummary> {
  const { client, retry } = connect(options, log);
  log(`Transfer ${options.ubid}: exporting its documents from ${options.url} to ${options.output}`);
  return exportToFile(client, options, retry);
}

export interface SubmitSummary {
  ubid: string;
  gateway: string;
  /** Documents that got their id or moved to SENT. */
  changed: number;
  unchanged: number;
  /** The uniqueIds the transfer has no document for. */
  unknown: string[];
  /** Receipts that had arrived before their ids, applied now. */
  receiptsApplied: number;
  seconds: number;
}

/** Gives a transfer's documents their message ids at a gateway, from a file; see USAGE. */
export async function submitMessages(options: SubmitOptions, log: Log = toStderr): Promise<SubmitSummary> {
  const { client, retry } = connect(options, log);
  const summary: SubmitSummary = {
    ubid: options.ubid,
    gateway: options.gateway,
    changed: 0,
    unchanged: 0,
    unknown: [],
    receiptsApplied: 0,
    seconds: 0,
  };
  const started = Date.now();
  log(`Transfer ${options.ubid}: submitting the ${options.gateway} message ids of ${options.submissions} to ${options.url}`);
  await sendSubBatches(
    inSubBatches(readSubmissionsFile(options.submissions), options.batchSize),
    { ...options, retry },
    async (messages) => {
      const result = await client.submitMessages(options.ubid, { gateway: options.gateway, messages });
      summary.changed += result.changed;
      summary.unchanged += result.unchanged;
      summary.unknown.push(...result.unknown);
      summary.receiptsApplied += result.receiptsApplied;
    },
  );
  return { ...summary, seconds: (Date.now() - started) / 1000 };
}

/** The line main() prints after a submission. */
export function describeSubmission({ ubid, gateway, changed, unchanged, unknown, receiptsApplied, seconds }: SubmitSummary): string {
  const unknownIds = unknown.length === 0 ? '' : ` (${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''})`;
  return (
    `Submitted ${gateway} message ids to transfer ${ubid} in ${seconds.toFixed(1)} s: ${changed} changed, ${unchanged} unchanged, ` +
    `${unknown.length} unknown uniqueId(s)${unknownIds}, ${receiptsApplied} waiting receipt(s) applied`
  );
}

/** Registers the transfer, then uploads its documents; see USAGE. */
export async function load(
  options: LoadOptions,
  log: Log = toStderr,
  progressFor: (documents: number) => Progress = createProgress,
): Promise<LoadSummary> {
  const { client, retry } = connect(options, log);

  const { documents, SMScount } = options.file ? await summarizeDocumentFile(options.file) : summarizeGenerated(options.count!);
  if (documents === 0) throw new UsageError(`${options.file} holds no documents`);
  const source: AsyncIterable<NewSmsDocument> | Iterable<NewSmsDocument> = options.file
    ? readDocumentFile(options.file)
    : generateDocuments(documents);

  const started = Date.now();
  await withRetry(
    () =>
      client.createTransfer({
        UBID: options.ubid,
        SMScount,
        documents,
        fileName: (options.file ? basename(options.file) : `generated-${documents}.json`).slice(0, 55),
        origName: (options.file ? basename(options.file) : 'tracking-load').slice(0, 50),
      }),
    retry,
  );
  log(`Transfer ${options.ubid}: uploading ${documents} documents to ${options.url}`);
  const progress = progressFor(documents);
  try {
    const uploaded = await uploadSubBatches(client, options.ubid, inSubBatches(source, options.batchSize), {
      concurrency: options.concurrency,
      retry,
      onStored: (count) => progress.advance(count),
    });
    return { ubid: options.ubid, ...uploaded, seconds: (Date.now() - started) / 1000 };
  } finally {
    progress.stop();
  }
}

/** The line main() prints after an upload. */
export function describeUpload({ documents, subBatches, ubid, seconds }: LoadSummary): string {
  const rate = Math.round(documents / Math.max(seconds, 0.001));
  return `Uploaded ${documents} documents in ${subBatches} sub-batches to transfer ${ubid} in ${seconds.toFixed(1)} s (${rate} docs/s)`;
}

function summarizeGenerated(count: number): { documents: number; SMScount: number } {
  let SMScount = 0;
  for (let index = 0; index < count; index += 1) SMScount += referenceSmsCount(index);
  return { documents: count, SMScount };
}

export async function main(argv: string[]): Promise<number> {
  try {
    const options = parseOptions(argv);
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if ('submissions' in options) {
      process.stdout.write(`${describeSubmission(await submitMessages(options))}\n`);
      return 0;
    }
    if ('output' in options) {
      const { bytes, seconds } = await exportDocuments(options);
      const rate = (bytes / 1e6 / Math.max(seconds, 0.001)).toFixed(1);
      process.stdout.write(
        `Exported ${bytes} bytes of transfer ${options.ubid} to ${options.output} in ${seconds.toFixed(1)} s (${rate} MB/s)\n`,
      );
      return 0;
    }
    process.stdout.write(`${describeUpload(await load(options))}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(error instanceof UsageError ? `${message}\n\n${USAGE}\n` : `tracking-load: ${message}\n`);
    return error instanceof UsageError ? 2 : 1;
  }
}
