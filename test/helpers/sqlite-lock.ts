import { spawn } from 'node:child_process';
import { once } from 'node:events';

export interface SqliteLock {
  /** Ends the other process, and with it the lock. */
  release(): Promise<void>;
}

/**
 * Another process that holds SQLite's write lock on `file` until released, as a backup tool or a
 * `sqlite3` shell might. Another process, not another connection here: SQLite's POSIX locks do
 * not separate connections of one process that use different copies of the SQLite library
 * (better-sqlite3's and sqlite3's).
 */
export async function holdSqliteWriteLock(file: string): Promise<SqliteLock> {
  const script = `const db = new (require('better-sqlite3'))(process.argv[1]); db.exec('BEGIN EXCLUSIVE'); process.stdout.write('locked'); setInterval(() => {}, 1000);`;
  const locker = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(locker.stdout, 'data');
  return {
    release: async () => {
      locker.kill();
      await once(locker, 'exit');
    },
  };
}
