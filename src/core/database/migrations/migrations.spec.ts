import { DataSource, MigrationInterface } from 'typeorm';

import { createDatabase, describeEachDatabase, SHARED_DATABASES, storedTime } from '../../../../test/helpers/test-database';
import { parseDatabaseUrl } from '../../config/database-url';
import { buildDataSourceOptions, initializeDataSource, MIGRATIONS } from '../data-source-options';

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

/** The migrations' indexes, as each engine's catalogue names them. */
async function indexesOf(dataSource: DataSource): Promise<string[]> {
  const rows: { name: string }[] = await dataSource.query(
    dataSource.options.type === 'postgres'
      ? `SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'IDX_%' ORDER BY 1`
      : `SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'IDX_%' ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

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

const INDEXES = [
  'IDX_pending_receipts_gateway_messageId',
  'IDX_pending_receipts_receivedAt',
  'IDX_sms_documents_UBID_state_uniqueId_when',
  'IDX_sms_documents_gateway_messageId',
  'IDX_sms_transfers_state_when',
  'IDX_sms_transfers_when',
];

describeEachDatabase(SHARED_DATABASES, 'migrations on %s', (kind) => {
  let url: string;
  let remove: () => Promise<void>;
  const open = () => {
    const config = parseDatabaseUrl(url);
    return initializeDataSource(buildDataSourceOptions(config), config);
  };

  beforeEach(async () => ({ url, remove } = await createDatabase(kind)));
  afterEach(() => remove());

  it('build the schema in an empty database, once', async () => {
    const first = await open();
    expect(await indexesOf(first)).toEqual(INDEXES);
    await first.destroy();

    const again = await open();
    expect(await again.query('SELECT "name" FROM "migrations" ORDER BY "id"')).toEqual([
      { name: 'InitialSchema1732000000000' },
      { name: 'DocumentTrackingIndex1764100000000' },
      { name: 'DocumentsFillfactor1765100000000' },
      { name: 'DeliveryReceipts1766100000000' },
    ]);
    expect(await storageParametersOf(again)).toEqual(kind === 'postgres' ? ['fillfactor=70'] : []);
    await again.destroy();
  });

  it("adopt the Python original's database, keeping its rows and their times", async () => {
    const config = parseDatabaseUrl(url);
    const original = await new DataSource(buildDataSourceOptions(config)).initialize();
    for (const statement of ORIGINAL_SCHEMA) await original.query(statement);
    await original.destroy();

    const upgraded = await open();

    expect(await indexesOf(upgraded)).toEqual(INDEXES);
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
    const options = { ...buildDataSourceOptions(config), migrations: [...MIGRATIONS, BrokenMigration1799999999999] };

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
    expect(await after.query('SELECT "name" FROM "migrations" ORDER BY "id"')).toEqual([
      { name: 'InitialSchema1732000000000' },
      { name: 'DocumentTrackingIndex1764100000000' },
      { name: 'DocumentsFillfactor1765100000000' },
      { name: 'DeliveryReceipts1766100000000' },
    ]);
    await after.destroy();
  });
});
