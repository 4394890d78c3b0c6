import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';

import { Injectable, Module } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { DataSource } from 'typeorm';

import { NoteEntity, NOTES_MIGRATIONS } from '../../../test/helpers/notes-schema';
import { createDatabase, describeOnPostgres } from '../../../test/helpers/test-database';
import { DEFAULT_DATABASE_SETTINGS, parseDatabaseUrl } from '../config/database-url';
import { DatabaseModule } from './database.module';
import { SqliteReadConnections } from './sqlite-read-connections';
import { TransactionContext } from './transaction-context';
import { TypeOrmUnitOfWork } from './typeorm-unit-of-work';
import { UnitOfWork } from './unit-of-work';

interface LogLine {
  level: number;
  context?: string;
  msg: string;
}

const WARN = 40;

/** A feature module's service: it does not import DatabaseModule, which is global. */
@Injectable()
class FeatureService {
  constructor(
    readonly unitOfWork: UnitOfWork,
    readonly context: TransactionContext,
  ) {}
}
@Module({ providers: [FeatureService] })
class FeatureModule {}

// The real module on real databases, with the log captured: what it wires is what the service runs on.
describe('DatabaseModule', () => {
  let moduleRef: TestingModule | undefined;
  let lines: LogLine[];
  let folder: string;

  async function open(url: string): Promise<TestingModule> {
    const log = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as LogLine);
        done();
      },
    });
    const database = parseDatabaseUrl(url, { ...DEFAULT_DATABASE_SETTINGS, readConnections: 2 });
    moduleRef = await Test.createTestingModule({
      imports: [
        LoggerModule.forRoot({ pinoHttp: [{ level: 'info' }, log] }),
        DatabaseModule.forRoot(database, NOTES_MIGRATIONS),
        TypeOrmModule.forFeature([NoteEntity]),
        FeatureModule,
      ],
    }).compile();
    return moduleRef;
  }
  const typeOrmLines = () => lines.filter((line) => line.context === 'TypeORM');

  beforeEach(() => {
    lines = [];
    folder = mkdtempSync(join(tmpdir(), 'tracking-db-module-'));
  });
  afterEach(async () => {
    await moduleRef?.close();
    moduleRef = undefined;
    rmSync(folder, { recursive: true, force: true });
  });

  it('opens the SQLite file migrated by the migrations it is given, with the features’ entities, logging TypeORM through pino under its own context', async () => {
    const dataSource = (await open(`sqlite:${join(folder, 'tracking.db')}`)).get(DataSource);

    expect(dataSource.isInitialized).toBe(true);
    expect(await dataSource.getRepository(NoteEntity).count()).toBe(0);
    expect(typeOrmLines().map((line) => line.msg)).toContain('Migration CreateNotes1700000000000 has been executed successfully.');
  });

  it('gives every feature module the unit of work and the transaction context its repositories run in', async () => {
    const feature = (await open('sqlite::memory:')).get(FeatureService);

    expect(feature.unitOfWork).toBeInstanceOf(TypeOrmUnitOfWork);
    expect(feature.context).toBeInstanceOf(TransactionContext);
  });

  it('opens the read connections to a SQLite file, with the entities, their failures logged under the TypeORM context', async () => {
    const reads = (await open(`sqlite:${join(folder, 'tracking.db')}`)).get(SqliteReadConnections);

    expect(reads?.size).toBe(2);
    expect(await reads.read((manager) => manager.getRepository(NoteEntity).count())).toBe(0);
    await expect(reads.read((manager) => manager.query('SELECT * FROM missing'))).rejects.toThrow('no such table: missing');
    expect(typeOrmLines().filter((line) => line.level === WARN)).toEqual([expect.objectContaining({ msg: 'query failed' })]);
  });

  it('opens no read connections to an in-memory database, which another connection could not see', async () => {
    expect((await open('sqlite::memory:')).get(SqliteReadConnections)).toBeNull();
  });

  it('waits at start-up for an outage only, 10 times 3 s, saying so in the log', async () => {
    const { options } = (await open('sqlite::memory:')).get(DataSource);
    const { retryAttempts, retryDelay, toRetry } = options as unknown as {
      retryAttempts: number;
      retryDelay: number;
      toRetry: (error: unknown) => boolean;
    };
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });

    expect([retryAttempts, retryDelay]).toEqual([10, 3000]);
    expect([toRetry(refused), toRetry(new Error('SQLITE_ERROR: near "SELEC": syntax error'))]).toEqual([true, false]);
    expect(typeOrmLines().filter((line) => line.level === WARN)).toEqual([
      expect.objectContaining({ msg: 'Cannot open the database yet (the database server cannot be reached); trying again in 3 s' }),
    ]);
  });

  describeOnPostgres('on PostgreSQL', () => {
    let removeDatabase: () => Promise<void>;
    let url: string;
    beforeAll(async () => ({ url, remove: removeDatabase } = await createDatabase('postgres')));
    afterAll(() => removeDatabase());

    it('opens no SQLite read connections', async () => {
      const module = await open(url);

      expect(module.get(DataSource).options.type).toBe('postgres');
      expect(module.get(SqliteReadConnections)).toBeNull();
    });
  });
});
