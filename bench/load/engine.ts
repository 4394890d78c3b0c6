import { Client } from 'pg';
import sqlite3 from 'sqlite3';

import { parseDatabaseUrl } from '../../src/core/config/database-url';

/** The engine and its version, for the benchmark's report. */
export async function engineVersion(databaseUrl: string): Promise<string> {
  if (parseDatabaseUrl(databaseUrl).engine === 'sqlite') return `SQLite ${sqlite3.VERSION}`;
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ server_version: string }>('SHOW server_version');
    return `PostgreSQL ${rows[0].server_version}`;
  } finally {
    await client.end();
  }
}
