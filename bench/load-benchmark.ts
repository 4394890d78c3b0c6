/**
 * `npm run bench:load`: the built service under load, in four scenarios, each measured in one run
 * on this machine. See docs/performance.md for the method and the figures.
 *
 * - mixed: uploads, counts, state updates and reads at once (autocannon);
 * - reads: small reads alone, uploads alone, then both together (each on a fresh service), with the event loop's delay;
 * - memory: 16, 64 and 256 maximal uploads at once, each on a fresh service: answers and memory;
 * - contention: re-uploads, receipts and moves of two whole batches at once, the writers meeting on the same rows.
 * - stalled: uploads alone, then beside 50 keyless stalled or slow connections: their latency.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { concurrentUploads } from './load/concurrent-uploads';
import { contention } from './load/contention';
import { mixedLoad } from './load/mixed-load';
import { readsDuringUploads } from './load/reads-during-uploads';
import { stalledConnections } from './load/stalled-connections';

const SCENARIOS = ['mixed', 'reads', 'memory', 'stalled', 'contention'] as const;
type Scenario = (typeof SCENARIOS)[number];
/** What runs without --scenario: contention runs when named. */
const DEFAULT_SCENARIOS: Scenario[] = ['mixed', 'reads', 'memory', 'stalled'];

const USAGE = `Usage: npm run bench:load -- [--scenario <name>] [--duration <s>] [--connections <n>] [--sub-batch <n>] [--only <kind>]
                             [--readers <n>] [--uploads <n,n,…>] [--database <url>]

  --scenario <name>   mixed, reads, memory, stalled or contention; several separated by commas (default: the first four)
  --duration <s>      mixed, contention: how long the load runs; reads, stalled: how long each phase runs (default 20)
  --connections <n>   mixed: connections of each kind of request, each with one request in flight (default 2);
                      stalled: keyless connections held open beside the uploads (default 50);
                      contention: clients without a key beside the writers (default 0)
  --sub-batch <n>     mixed: documents per upload request, 1-5000 (default 1000)
  --only <kind>       mixed: run one kind alone (uploads, counts, updates or reads)
  --readers <n>       reads: clients reading at once, each back to back (default 1)
  --uploads <n,…>     memory: how many maximal uploads at once, one run each (default 16,64,256)
  --database <url>    DATABASE_URL of the service (default: a SQLite file in a new temporary folder);
                      give an empty throwaway database: the benchmark leaves its rows there`;

interface Options {
  scenarios: Scenario[];
  duration: number;
  /** Unless given: 2 per kind (mixed), 50 (stalled), 0 (contention). */
  connections?: number;
  subBatch: number;
  only?: string;
  readers: number;
  uploads: number[];
  database?: string;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string', default: DEFAULT_SCENARIOS.join(',') },
      duration: { type: 'string', default: '20' },
      connections: { type: 'string' },
      'sub-batch': { type: 'string', default: '1000' },
      only: { type: 'string' },
      readers: { type: 'string', default: '1' },
      uploads: { type: 'string', default: '16,64,256' },
      database: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const fail = (message: string): never => {
    console.error(`${message}\n\n${USAGE}`);
    process.exit(2);
  };
  const integer = (name: string, raw: string, max: number): number => {
    const value = Number(raw);
    return Number.isInteger(value) && value >= 1 && value <= max
      ? value
      : fail(`--${name} must be an integer from 1 to ${max}, not '${raw}'`);
  };
  const scenarios = values.scenario
    .split(',')
    .map((name) => (SCENARIOS.includes(name as Scenario) ? (name as Scenario) : fail(`--scenario: no scenario '${name}'`)));
  return {
    scenarios,
    duration: integer('duration', values.duration, 3600),
    connections: values.connections === undefined ? undefined : integer('connections', values.connections, 1000),
    subBatch: integer('sub-batch', values['sub-batch'], 5000),
    only: values.only,
    readers: integer('readers', values.readers, 64),
    uploads: values.uploads.split(',').map((raw) => integer('uploads', raw, 4096)),
    database: values.database,
  };
}

async function main(): Promise<void> {
  const options = parseOptions();
  const folder = mkdtempSync(join(tmpdir(), 'tracking-load-'));
  // A fresh SQLite file for every service the scenarios start, unless a database is given.
  let files = 0;
  const databaseUrl = () => options.database ?? `sqlite:${join(folder, `load-${(files += 1)}.db`)}`;
  try {
    for (const scenario of options.scenarios) {
      console.log(`\n## ${scenario}\n`);
      if (scenario === 'mixed') await mixedLoad({ ...options, connections: options.connections ?? 2, databaseUrl: databaseUrl() });
      if (scenario === 'reads') await readsDuringUploads({ databaseUrl, seconds: options.duration, readers: options.readers });
      if (scenario === 'memory') await concurrentUploads({ databaseUrl, counts: options.uploads });
      if (scenario === 'contention')
        await contention({ databaseUrl: databaseUrl(), duration: options.duration, keyless: options.connections ?? 0 });
      if (scenario === 'stalled')
        await stalledConnections({ databaseUrl, seconds: options.duration, connections: options.connections ?? 50 });
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
