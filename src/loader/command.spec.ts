import { unreachableUrl } from '../../test/helpers/unreachable-url';
import { describeSubmission, describeUpload, load, main, parseOptions, UsageError } from './command';
import { TransientError } from './loader-api-client';

describe('parseOptions', () => {
  it('has defaults for everything but the count', () => {
    expect(parseOptions(['412343'])).toEqual({
      url: 'http://localhost:7000',
      ubid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      batchSize: 5000,
      concurrency: 4,
      retries: 7,
      timeoutMs: 60_000,
      apiKey: undefined,
      file: undefined,
      count: 412343,
    });
  });

  it('reads every option', () => {
    const ubid = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
    const argv = [
      '--url',
      'http://tracking:7000',
      '--ubid',
      ubid,
      '--batch-size',
      '1000',
      '--concurrency',
      '8',
      '--retries',
      '3',
      '--timeout',
      '5',
      '--api-key',
      'k',
      '--file',
      'd.ndjson',
    ];

    expect(parseOptions(argv)).toEqual({
      url: 'http://tracking:7000',
      ubid,
      batchSize: 1000,
      concurrency: 8,
      retries: 3,
      timeoutMs: 5000,
      apiKey: 'k',
      file: 'd.ndjson',
      count: undefined,
    });
  });

  it.each([
    [[], 'how many documents? give <count> or --file'],
    [['10', '--file', 'x.json'], 'give either <count> or --file, not both'],
    [['ten'], "<count> must be a whole number from 1 to 9007199254740991, not 'ten'"],
    [['10', '--batch-size', '5001'], "--batch-size must be a whole number from 1 to 5000, not '5001'"],
    [['10', '--concurrency', '0'], "--concurrency must be a whole number from 1 to 64, not '0'"],
    [['10', '--timeout', '0'], "--timeout must be a whole number from 1 to 3600, not '0'"],
    [['10', '--timeout', '5x'], "--timeout must be a whole number from 1 to 3600, not '5x'"],
    [['10', '--concurrency', 'x5'], "--concurrency must be a whole number from 1 to 64, not 'x5'"],
    [['10', '--retries', '101'], "--retries must be a whole number from 0 to 100, not '101'"],
    [
      ['10', '--colour'],
      "Unknown option '--colour'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--colour\"",
    ],
    [['10', '--url'], "Option '--url <value>' argument missing"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(new UsageError(message));
  });

  it('reads an export, ndjson of every state by default', () => {
    const ubid = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

    expect(parseOptions(['--export', ubid, '--output', 'b.ndjson'])).toEqual({
      url: 'http://localhost:7000',
      retries: 7,
      timeoutMs: 60_000,
      apiKey: undefined,
      ubid,
      format: 'ndjson',
      state: undefined,
      output: 'b.ndjson',
    });
    expect(parseOptions(['--export', ubid, '--format', 'csv', '--state', 'DONE', '--output', 'b.csv', '--api-key', 'k'])).toMatchObject({
      format: 'csv',
      state: 'DONE',
      apiKey: 'k',
    });
  });

  it.each([
    [['--export', 'u'], '--export needs --output <file>'],
    [['--export', 'u', '--output', 'o', '10'], '--export uploads nothing: give no <count> or --file'],
    [['--export', 'u', '--output', 'o', '--file', 'f'], '--export uploads nothing: give no <count> or --file'],
    [['--export', 'u', '--output', 'o', '--format', 'xml'], "--format must be one of ndjson, csv, not 'xml'"],
    [['--export', 'u', '--output', 'o', '--state', 'done'], "--state must be one of INIT, SENT, DONE, not 'done'"],
    [['10', '--output', 'o'], '--output only goes with --export'],
    [['10', '--format', 'csv'], '--format only goes with --export'],
  ])('refuses the export %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(new UsageError(message));
  });

  it('reads a submission of message ids', () => {
    const ubid = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

    expect(parseOptions(['--submissions', 'ids.csv', '--ubid', ubid, '--gateway', 'jasmin', '--batch-size', '2000'])).toEqual({
      url: 'http://localhost:7000',
      retries: 7,
      timeoutMs: 60_000,
      apiKey: undefined,
      ubid,
      gateway: 'jasmin',
      submissions: 'ids.csv',
      batchSize: 2000,
      concurrency: 4,
    });
  });

  it.each([
    [['--submissions', 's', '--gateway', 'jasmin'], '--submissions needs --ubid <uuid>: the transfer whose documents were sent'],
    [['--submissions', 's', '--ubid', 'u'], '--submissions needs --gateway <name>: 1 to 16 lower-case letters, digits, - or _'],
    [
      ['--submissions', 's', '--ubid', 'u', '--gateway', 'Jasmin'],
      '--submissions needs --gateway <name>: 1 to 16 lower-case letters, digits, - or _',
    ],
    [['--submissions', 's', '--ubid', 'u', '--gateway', 'jasmin', '10'], '--submissions uploads nothing: give no <count> or --file'],
    [['10', '--gateway', 'jasmin'], '--gateway only goes with --submissions'],
  ])('refuses the submission %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(new UsageError(message));
  });

  it('answers help', () => {
    expect(parseOptions(['--help'])).toBe('help');
  });

  it('prints the usage for --help, and exits 0', async () => {
    const write = jest.spyOn(process.stdout, 'write').mockReturnValue(true);

    const exitCode = await main(['--help']);
    const printed = String(write.mock.calls[0][0]);
    write.mockRestore();

    expect(exitCode).toBe(0);
    expect(printed).toMatch(/^Usage: tracking-load \[options\] <count>\n/);
    expect(printed).toContain('tracking-load [options] --export <ubid> [--format ndjson|csv] [--state <state>] --output <file>');
    // 8 attempts in all: the first and 7 retries.
    expect(printed).toContain('(default 7); a Retry-After from the service is honoured');
    expect(printed).toContain('seconds to wait for each answer before trying again (default 60)\n');
  });
});

describe('describeSubmission', () => {
  const summary = { ubid: 'u', gateway: 'kannel', changed: 9, unchanged: 1, unknown: [], receiptsApplied: 2, seconds: 1.25 };

  it('tells what changed, what was there, the unknown uniqueIds and the waiting receipts applied', () => {
    expect(describeSubmission(summary)).toBe(
      'Submitted kannel message ids to transfer u in 1.3 s: 9 changed, 1 unchanged, 0 unknown uniqueId(s), 2 waiting receipt(s) applied',
    );
  });

  it('names the first five unknown uniqueIds', () => {
    expect(describeSubmission({ ...summary, unknown: ['a', 'b', 'c', 'd', 'e', 'f'] })).toContain(
      '6 unknown uniqueId(s) (a, b, c, d, e, …)',
    );
  });
});

describe('describeUpload', () => {
  const summary = { ubid: '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10', documents: 2500, subBatches: 3 };

  it('tells the documents, sub-batches, transfer, time and rate', () => {
    expect(describeUpload({ ...summary, seconds: 2.04 })).toBe(
      'Uploaded 2500 documents in 3 sub-batches to transfer 0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10 in 2.0 s (1225 docs/s)',
    );
  });

  it('counts an upload quicker than the clock can tell as one millisecond', () => {
    expect(describeUpload({ ...summary, seconds: 0 })).toMatch(/ in 0\.0 s \(2500000 docs\/s\)$/);
  });
});

describe('load', () => {
  it('tells each retry on its log, with the wait and the reason, then gives up with the last failure', async () => {
    const url = await unreachableUrl();
    const log: string[] = [];
    const options = {
      url,
      ubid: '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10',
      batchSize: 10,
      concurrency: 1,
      retries: 1,
      timeoutMs: 1000,
      count: 3,
    };

    const failure = await load(options, (line) => log.push(line)).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TransientError);
    expect((failure as Error).message).toBe(`cannot reach ${url}: ECONNREFUSED`);
    expect(log).toEqual([expect.stringMatching(new RegExp(`^retry 1 in \\d+ ms: cannot reach ${url}: ECONNREFUSED$`))]);
  });
});
