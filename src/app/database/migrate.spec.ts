import { execFile } from 'node:child_process';

import { DataSource } from 'typeorm';

import {
  APPLIED_MIGRATIONS,
  appliedMigrationsOf,
  indexesOf,
  MIGRATED_INDEXES,
  MIGRATED_TABLES,
  tablesOf,
} from '../../../test/helpers/migrated-schema';
import { createDatabase, describeEachDatabase, SHARED_DATABASES } from '../../../test/helpers/test-database';
import { parseDatabaseUrl, redactPassword } from '../../core/config/database-url';
import { buildDataSourceOptions } from '../../core/database/data-source-options';
import { PROJECT_ROOT } from '../../core/project-root';

/** How the command lists the migrations it holds. */
const MIGRATIONS = APPLIED_MIGRATIONS.join(', ');

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
    return { tables: await tablesOf(dataSource), indexes: await indexesOf(dataSource), applied: await appliedMigrationsOf(dataSource) };
  } finally {
    await dataSource.destroy();
  }
}

/** `npm run migration:run` (src/app/database/migrate.ts, built) as a process, on a fresh database of each kind. */
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
    expect(schema).toEqual({ tables: MIGRATED_TABLES, indexes: MIGRATED_INDEXES, applied: APPLIED_MIGRATIONS });

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
