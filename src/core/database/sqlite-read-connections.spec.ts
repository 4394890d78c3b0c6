import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { DataSource, DataSourceOptions, EntityManager } from 'typeorm';

import { SqliteReadConnections } from './sqlite-read-connections';

describe('SqliteReadConnections', () => {
  let folder: string;
  let options: DataSourceOptions;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'read-connections-'));
    options = { type: 'sqlite', database: join(folder, 'tracking.db') };
  });
  afterEach(() => {
    jest.restoreAllMocks();
    rmSync(folder, { recursive: true, force: true });
  });

  it('sends a read to an idle connection while another is busy, and closes them all at shutdown', async () => {
    const connections = await SqliteReadConnections.open(options, 2);
    expect(connections.size).toBe(2);
    const managers: EntityManager[] = [];
    let finishFirst!: () => void;
    const firstRunning = new Promise<void>((resolve) => (finishFirst = resolve));

    const first = connections.read(async (manager) => {
      managers.push(manager);
      await firstRunning;
    });
    await connections.read(async (manager) => void managers.push(manager));
    finishFirst();
    await first;

    expect(managers[0]).not.toBe(managers[1]);
    expect(await managers[0].query('SELECT 1 AS one')).toEqual([{ one: 1 }]);

    await connections.onApplicationShutdown();
    expect(managers.map((manager) => manager.connection.isInitialized)).toEqual([false, false]);
    await expect(connections.onApplicationShutdown()).resolves.toBeUndefined();
  });

  it('frees a connection when its read ends, with or without an error', async () => {
    const connections = await SqliteReadConnections.open(options, 2);
    const managers: EntityManager[] = [];

    await connections.read(async (manager) => void managers.push(manager));
    await expect(
      connections.read(async (manager) => {
        managers.push(manager);
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await connections.read(async (manager) => void managers.push(manager));

    expect(new Set(managers).size).toBe(1);
    await connections.onApplicationShutdown();
  });

  it('opens all or none: when one connection fails, closes the others and throws its error', async () => {
    const failure = new Error('SQLITE_CANTOPEN: unable to open database file');
    const initialize = DataSource.prototype.initialize;
    const opened: DataSource[] = [];
    jest.spyOn(DataSource.prototype, 'initialize').mockImplementation(function (this: DataSource) {
      if (opened.length === 1) return Promise.reject(failure);
      opened.push(this);
      return initialize.call(this);
    });

    await expect(SqliteReadConnections.open(options, 2)).rejects.toBe(failure);

    expect(opened).toHaveLength(1);
    expect(opened[0].isInitialized).toBe(false);
  });
});
