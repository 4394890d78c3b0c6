import { OnApplicationShutdown } from '@nestjs/common';
import { DataSource, DataSourceOptions, EntityManager } from 'typeorm';

interface ReadConnection {
  dataSource: DataSource;
  /** Reads running on it, to send the next read to the least busy. */
  load: number;
}

/**
 * Read-only connections to the SQLite file, beside TypeORM's one read-write connection. In WAL
 * mode each statement on them sees the last commit and never waits for the writer, so reads do not
 * queue behind uploads. `sqlite3` runs a connection's statements one at a time on libuv's thread
 * pool: several connections let several reads run at once, up to the pool's free threads.
 *
 * A read runs without BEGIN and COMMIT: each of its statements is its own snapshot. The two round
 * trips of a transaction cost a fifth of a small read (docs/performance.md), and no read of this
 * service needs more than one statement to agree with another (see UnitOfWork.read).
 */
export class SqliteReadConnections implements OnApplicationShutdown {
  private constructor(private readonly connections: ReadConnection[]) {}

  /** Opens `count` connections with `options` (a read-only SQLite data source); all or none. */
  static async open(options: DataSourceOptions, count: number): Promise<SqliteReadConnections> {
    const opened = await Promise.allSettled(Array.from({ length: count }, () => new DataSource(options).initialize()));
    const dataSources = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failure = opened.find((result) => result.status === 'rejected');
    if (failure) {
      await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
      throw failure.reason;
    }
    return new SqliteReadConnections(dataSources.map((dataSource) => ({ dataSource, load: 0 })));
  }

  get size(): number {
    return this.connections.length;
  }

  /** Runs `work` with the manager of the least busy connection. */
  async read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const connection = this.connections.reduce((least, candidate) => (candidate.load < least.load ? candidate : least));
    connection.load += 1;
    try {
      return await work(connection.dataSource.manager);
    } finally {
      connection.load -= 1;
    }
  }

  /** After the HTTP server has finished its requests, before TypeORM closes the write connection. */
  async onApplicationShutdown(): Promise<void> {
    const open = this.connections.filter(({ dataSource }) => dataSource.isInitialized);
    await Promise.all(open.map(({ dataSource }) => dataSource.destroy()));
  }
}
