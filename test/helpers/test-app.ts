import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { AppModule } from '../../src/app/app.module';
import { APP_OPTIONS, configureApp } from '../../src/app/app-setup';
import { loadConfig } from '../../src/core/config/app-config';

export interface ProviderOverride {
  provide: Type<unknown> | (abstract new (...args: never[]) => unknown);
  useValue: unknown;
}

/**
 * Boots the real AppModule, configured exactly as main.ts does it, on a throwaway in-memory
 * database, with the given providers replaced and further settings given as environment variables
 * (`env`). Tests talk to it with supertest (`app.getHttpServer()`).
 */
export async function createTestApp(
  overrides: ProviderOverride[] = [],
  databaseUrl = 'sqlite::memory:',
  env: Record<string, string> = {},
): Promise<INestApplication> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: databaseUrl, ...env });
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] });
  for (const { provide, useValue } of overrides) {
    builder = builder.overrideProvider(provide).useValue(useValue);
  }
  const moduleRef = await builder.compile();
  const app = configureApp(moduleRef.createNestApplication(APP_OPTIONS));
  await app.init();
  return app;
}

export interface TestServer {
  app: INestApplication;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** The temporary folder of the database file, free for the test's own files too. */
  folder: string;
  /** Stops the app and removes the folder. */
  close(): Promise<void>;
}

/**
 * The real app, without overrides, listening on 127.0.0.1 on a free port as a client sees it,
 * with its data in a SQLite file in a new temporary folder, and any further settings (`env`).
 */
export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const folder = mkdtempSync(join(tmpdir(), 'tracking-db-e2e-'));
  const app = await createTestApp([], `sqlite:${join(folder, 'tracking.db')}`, env);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`,
    folder,
    close: async () => {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}
