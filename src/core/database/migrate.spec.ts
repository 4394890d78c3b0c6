import { execFile } from 'node:child_process';

import { DataSource } from 'typeorm';

import { createDatabase, describeEachDatabase, SHARED_DATABASES } from '../../../test/helpers/test-database';
import { parseDatabaseUrl, redactPassword } from '../config/database-url';
import { PROJECT_ROOT } from '../project-root';
import { buildDataSourceOptions } from './data-source-options';

const MIGRATIONS =
  'InitialSchema1732000000000, DocumentTrackingIndex1764100000000, DocumentsFillfactor1765100000000, DeliveryReceipts1766100000000';
const TABLES = ['migrations', 'pending_receipts', 'sms_documents', 'sms_transfers'];
const INDEXES = [
  'IDX_pending_receipts_gateway_messageId',
  'IDX_pending_receipts_receivedAt',
  'IDX_sms_documents_UBID_state_uniqueId_when',
  'IDX_sms_documents_gateway_messageId',
  'IDX_sms_transfers_state_when',
  'IDX_sms_transfers_when',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run migration:run` as a deployment runs it (`--silent`: npm's own banner lines aside), with DATABASE_URL set. */
function migrationRun(databaseUrl: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      'npm',
      ['run', '--silent', 'migration:run'],
      { cwd: PROJECT_ROOT, env: { ...process.env, DATABASE_URL: databaseUrl } },
      (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
    );
  });
}

/** The tables, the listing indexes and the applied migrations, read without migrating anything. */
async function schemaOf(databaseUrl: string): Promise<{ tables: string[]; indexes: string[]; applied: string[] }> {
  const dataSource = await new DataSource(buildDataSourceOptions(parseDatabaseUrl(databaseUrl))).initialize();
  try {
    const postgres = dataSource.options.type === 'postgres';
    const names = async (sql: string) => (await dataSource.query<{ name: string }[]>(sql)).map((row) => row.name);
    return {
      tables: await names(
        postgres
          ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`
          : `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1`,
      ),
      indexes: await names(
        postgres
          ? `SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'IDX_%' ORDER BY 1`
          : `SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'IDX_%' ORDER BY 1`,
      ),
      applied: await names('SELECT "name" FROM "migrations" ORDER BY "id"'),
    };
  } finally {
    await dataSource.destroy();
  }
}

/** `npm run migration:run` (src/core/database/migrate.ts, built) as a process, on a fresh database of each kind. */
describeEachDatabase(SHARED_DATABASES, 'npm run migration:run on %s', (kind) => {
  let url: string;
  let remove: () => Promise<void>;

  beforeEach(async () => ({ url, remove } = await createDatabase(kind)));
  afterEach(() => remove());

  /** Where the output says it migrated: the file, or the URL with any password hidden. */
  const where = () => (kind === 'postgres' ? redactPassword(url) : url.slice('sqlite:'.length));

  it('creates the schema in an empty database, says which migrations it holds, and changes nothing when run again', async () => {
    const expected = { code: 0, stdout: `${where()}: schema up to date (${MIGRATIONS})\n`, stderr: '' };

    expect(await migrationRun(url)).toEqual(expected);
    const schema = await schemaOf(url);
    expect(schema).toEqual({ tables: TABLES, indexes: INDEXES, applied: MIGRATIONS.split(', ') });

    expect(await migrationRun(url)).toEqual(expected);
    expect(await schemaOf(url)).toEqual(schema);
  });

  if (kind === 'postgres') {
    it('never prints the password of DATABASE_URL', async () => {
      const withPassword = new URL(url);
      withPassword.password = 's3cret-pw';

      const run = await migrationRun(withPassword.toString());

      expect(run).toEqual({
        code: 0,
        stdout: `${redactPassword(withPassword.toString())}: schema up to date (${MIGRATIONS})\n`,
        stderr: '',
      });
      expect(run.stdout).not.toContain('s3cret-pw');
    });
  }
});

describe('npm run migration:run with a bad DATABASE_URL', () => {
  it('exits 1 with the configuration error, and nothing on stdout', async () => {
    expect(await migrationRun('mysql://db/tracking')).toEqual({
      code: 1,
      stdout: '',
      stderr:
        "Invalid configuration:\n  - DATABASE_URL: 'mysql://db/tracking' is not a database URL this service knows; " +
        'use sqlite:<path>, sqlite::memory: or postgres://user:password@host:port/database\n',
    });
  });
});
