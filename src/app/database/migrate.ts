import 'reflect-metadata';

import { ConfigError, loadConfig } from '../../core/config/app-config';
import { redactPassword } from '../../core/config/database-url';
import { buildDataSourceOptions, initializeDataSource } from '../../core/database/data-source-options';
import { MIGRATIONS } from './migrations';

/**
 * `npm run migration:run`: brings the database of DATABASE_URL to the current schema and exits.
 * The service does the same at start-up; this is for deployments that migrate as a separate step.
 */
async function migrate(): Promise<void> {
  const { database } = loadConfig();
  const dataSource = await initializeDataSource(buildDataSourceOptions(database, { migrations: MIGRATIONS }), database);
  const applied = await dataSource.query<{ name: string }[]>('SELECT "name" FROM "migrations" ORDER BY "id"');
  await dataSource.destroy();
  const where = database.engine === 'postgres' ? redactPassword(database.url) : database.path;
  console.log(`${where}: schema up to date (${applied.map((row) => row.name).join(', ')})`);
}

migrate().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
