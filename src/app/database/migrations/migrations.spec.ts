import { DataSource, MigrationInterface } from 'typeorm';

import { APPLIED_MIGRATIONS, appliedMigrationsOf, indexesOf, MIGRATED_INDEXES } from '../../../../test/helpers/migrated-schema';
import { createDatabase, describeEachDatabase, SHARED_DATABASES, storedTime } from '../../../../test/helpers/test-database';
import { parseDatabaseUrl } from '../../../core/config/database-url';
import { buildDataSourceOptions, initializeDataSource } from '../../../core/database/data-source-options';
import { MIGRATIONS } from '../migrations';
import { InitialSchema1732000000000 } from './1732000000000-initial-schema';
import { DocumentTrackingIndex1764100000000 } from './1764100000000-document-tracking-index';
import { DocumentsFillfactor1765100000000 } from './1765100000000-documents-fillfactor';
import { DeliveryReceipts1766100000000 } from './1766100000000-delivery-receipts';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

/** The tables as the Python original (SQLModel) created them: no migrations table, no CHECKs, no indexes. */
const ORIGINAL_SCHEMA = [
  `CREATE TABLE sms_transfers ("UBID" CHAR(36) NOT NULL, "fileName" VARCHAR(55) NOT NULL, "origName" VARCHAR(50) NOT NULL,
     "fallbackCount" INTEGER NOT NULL DEFAULT 0, "when" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
     state VARCHAR(4) NOT NULL DEFAULT 'INIT', documents INTEGER NOT NULL, "SMScount" INTEGER, PRIMARY KEY ("UBID"))`,
  `CREATE TABLE sms_documents ("UBID" CHAR(36) NOT NULL, "uniqueId" VARCHAR(10) NOT NULL, state VARCHAR(4) NOT NULL DEFAULT 'INIT',
     "SMScount" INTEGER NOT NULL, "when" TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, data JSON NOT NULL,
     PRIMARY KEY ("UBID", "uniqueId"), FOREIGN KEY ("UBID") REFERENCES sms_transfers ("UBID") ON DELETE CASCADE)`,
  `INSERT INTO sms_transfers ("UBID", "fileName", "origName", "when", documents, "SMScount") VALUES ('${UBID}', 'f', 'o', '2024-04-17 08:58:37', 1, 1)`,
  `INSERT INTO sms_documents ("UBID", "uniqueId", "SMScount", "when", data) VALUES ('${UBID}', 'a', 1, '2024-04-17 08:58:37', '{"b": 1, "a": [2]}')`,
];

/** PostgreSQL: the storage parameters set on `sms_documents`; SQLite has none. */
async function storageParametersOf(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') return [];
  const [{ options }] = await dataSource.query(`SELECT reloptions AS options FROM pg_class WHERE relname = 'sms_documents'`);
  return options ?? [];
}

/** A migration that fails halfway, as one would on a full disk or a lock held elsewhere. */
class BrokenMigration1799999999999 implements MigrationInterface {
  up(): Promise<void> {
    return Promise.reject(new Error('broken on purpose'));
  }

  down(): Promise<void> {
    return Promise.resolve();
  }
}

describe('MIGRATIONS', () => {
  it('runs the migrations in their order', () => {
    expect(MIGRATIONS).toEqual([
      InitialSchema1732000000000,
      DocumentTrackingIndex1764100000000,
      DocumentsFillfactor1765100000000,
      DeliveryReceipts1766100000000,
    ]);
  });
});

describeEachDatabase(SHARED_DATABASES, 'migrations on %s', (kind) => {
  let url: string;
  let remove: () => Promise<void>;
  const open = () => {
    const config = parseDatabaseUrl(url);
    return initializeDataSource(buildDataSourceOptions(config, { migrations: MIGRATIONS }), config);
  };

  beforeEach(async () => ({ url, remove } = await createDatabase(kind)));
  afterEach(() => remove());

  it('build the schema in an empty database, once', async () => {
    const first = await open();
    expect(await indexesOf(first)).toEqual(MIGRATED_INDEXES);
    await first.destroy();

    const again = await open();
    expect(await appliedMigrationsOf(again)).toEqual(APPLIED_MIGRATIONS);
    expect(await storageParametersOf(again)).toEqual(kind === 'postgres' ? ['fillfactor=70'] : []);
    await again.destroy();
  });

  it("adopt the Python original's database, keeping its rows and their times", async () => {
    const config = parseDatabaseUrl(url);
    const original = await new DataSource(buildDataSourceOptions(config)).initialize();
    for (const statement of ORIGINAL_SCHEMA) await original.query(statement);
    await original.destroy();

    const upgraded = await open();

    expect(await indexesOf(upgraded)).toEqual(MIGRATED_INDEXES);
    expect(await storageParametersOf(upgraded)).toEqual(kind === 'postgres' ? ['fillfactor=70'] : []);
    const [document] = await upgraded.query(`SELECT "uniqueId", "when", "data" FROM "sms_documents"`);
    expect(document.uniqueId).toBe('a');
    expect(storedTime(document.when).toISOString()).toBe('2024-04-17T08:58:37.000Z');
    expect(typeof document.data === 'string' ? document.data : JSON.stringify(document.data)).toMatch(/"b": ?1, ?"a"/);
    await upgraded.query(`DELETE FROM "sms_transfers"`);
    expect(await upgraded.query(`SELECT CAST(COUNT(*) AS INTEGER) AS n FROM "sms_documents"`)).toEqual([{ n: 0 }]);
    await upgraded.destroy();
  });

  it("hold a gateway's message id once, whatever its case, and any number of documents without one", async () => {
    const dataSource = await open();
    await dataSource.query(`INSERT INTO "sms_transfers" ("UBID", "fileName", "origName", "documents") VALUES ('${UBID}', 'f', 'o', 3)`);
    const insert = (uniqueId: string, gateway: string | null, messageId: string | null) =>
      dataSource.query(
        `INSERT INTO "sms_documents" ("UBID", "uniqueId", "SMScount", "data", "gateway", "messageId") VALUES ('${UBID}', '${uniqueId}', 1, '{}', ${
          gateway ? `'${gateway}'` : 'NULL'
        }, ${messageId ? `'${messageId}'` : 'NULL'})`,
      );
    await insert('a', 'jasmin', 'Msg-1');
    await insert('b', 'kannel', 'msg-1');
    await insert('c', null, null);
    await insert('d', null, null);

    await expect(insert('e', 'jasmin', 'MSG-1')).rejects.toThrow(/unique/i);
    await dataSource.destroy();
  });

  it('keep the migrations before a failed one, close the database again and report the error', async () => {
    const config = parseDatabaseUrl(url);
    const initialize = jest.spyOn(DataSource.prototype, 'initialize');
    // TypeORM tells a failed migration on the console whatever the logging option; kept out of the output.
    const consoleLog = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const options = buildDataSourceOptions(config, { migrations: [...MIGRATIONS, BrokenMigration1799999999999] });

    const failure = await initializeDataSource(options, config).then(
      () => undefined,
      (error: unknown) => error,
    );

    const [opened] = initialize.mock.contexts as DataSource[];
    initialize.mockRestore();
    consoleLog.mockRestore();
    expect(failure).toEqual(new Error('broken on purpose'));
    expect(opened.isInitialized).toBe(false);
    // Each migration in its own transaction: the schema up to the failed one stays, and a restart resumes there.
    const after = await new DataSource(buildDataSourceOptions(config)).initialize();
    expect(await appliedMigrationsOf(after)).toEqual(APPLIED_MIGRATIONS);
    await after.destroy();
  });
});
