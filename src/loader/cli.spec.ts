import { parseOptions, UsageError } from './cli';

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
    [
      ['10', '--colour'],
      "Unknown option '--colour'. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- \"--colour\"",
    ],
    [['10', '--url'], "Option '--url <value>' argument missing"],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(new UsageError(message));
  });

  it('answers help', () => {
    expect(parseOptions(['--help'])).toBe('help');
  });
});
