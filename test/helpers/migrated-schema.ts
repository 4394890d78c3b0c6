import { DataSource } from 'typeorm';

/** The service's migrations as a database records them, in the order they ran. */
export const APPLIED_MIGRATIONS = [
  'InitialSchema1732000000000',
  'DocumentTrackingIndex1764100000000',
  'DocumentsFillfactor1765100000000',
  'DeliveryReceipts1766100000000',
];

/** The tables of a database the migrations have brought up to date, the `migrations` table included. */
export const MIGRATED_TABLES = ['migrations', 'pending_receipts', 'sms_documents', 'sms_transfers'];

/** The migrations' indexes, as each engine's catalogue names them. */
export const MIGRATED_INDEXES = [
  'IDX_pending_receipts_gateway_messageId',
  'IDX_pending_receipts_receivedAt',
  'IDX_sms_documents_UBID_state_uniqueId_when',
  'IDX_sms_documents_gateway_messageId',
  'IDX_sms_transfers_state_when',
  'IDX_sms_transfers_when',
];

async function namesOf(dataSource: DataSource, sql: string): Promise<string[]> {
  return (await dataSource.query<{ name: string }[]>(sql)).map((row) => row.name);
}

const onPostgres = (dataSource: DataSource) => dataSource.options.type === 'postgres';

/** The tables of the database, by name. */
export function tablesOf(dataSource: DataSource): Promise<string[]> {
  return namesOf(
    dataSource,
    onPostgres(dataSource)
      ? `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`
      : `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1`,
  );
}

/** The indexes the migrations name (`IDX_…`), by name. */
export function indexesOf(dataSource: DataSource): Promise<string[]> {
  return namesOf(
    dataSource,
    onPostgres(dataSource)
      ? `SELECT indexname AS name FROM pg_indexes WHERE indexname LIKE 'IDX_%' ORDER BY 1`
      : `SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'IDX_%' ORDER BY 1`,
  );
}

/** The migrations the database has recorded, in the order they ran. */
export function appliedMigrationsOf(dataSource: DataSource): Promise<string[]> {
  return namesOf(dataSource, 'SELECT "name" FROM "migrations" ORDER BY "id"');
}
