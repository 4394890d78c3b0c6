import { OnApplicationShutdown } from '@nestjs/common';
import { DataSource, DataSourceOptions, EntityManager } from 'typeorm';
import { SerialQueue } from './serial-queue';

interface ReadConnection {
  dataSource: DataSource;
  /** One transaction at a time on a connection, as on the write connection. */
  queue: SerialQueue;
  /** Reads running or waiting on it, to send the next read to the least busy. */
  load: number;
}

/**
 * Read-only connections to the SQLite file, beside TypeORM's one read-write connection. In WAL
 * mode a reader sees the state of the last commit when its transaction starts and never waits for
 * the writer, so reads do not queue behind uploads. `sqlite3` runs each connection's statements on
 * libuv's thread pool, so connections beyond the pool's free threads would only wait there.
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
    return new SqliteReadConnections(dataSources.map((dataSource) => ({ dataSource, queue: new SerialQueue(), load: 0 })));
  }

  get size(): number {
    return this.connections.length;
  }

  /** Runs `work` in a read transaction, one snapshot for all its statements, on the least busy connection. */
  async read<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const connection = this.connections.reduce((least, candidate) => (candidate.load < least.load ? candidate : least));
    connection.load += 1;
    try {
      return await connection.queue.run(() => connection.dataSource.transaction(work));
    } finally {
      connection.load -= 1;
    }
  }

  /** After the HTTP server has finished its requests, before TypeORM closes the write connection. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.connections.map(({ dataSource }) => (dataSource.isInitialized ? dataSource.destroy() : undefined)));
  }
}
