import { INestApplication, Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { AppModule } from '../src/app/app.module';
import { APP_OPTIONS, configureApp } from '../src/app/app-setup';
import { loadConfig } from '../src/core/config/app-config';

export interface ProviderOverride {
  provide: Type<unknown> | (abstract new (...args: never[]) => unknown);
  useValue: unknown;
}

/**
 * Boots the real AppModule, configured exactly as the service's createService() does it, on a throwaway in-memory
 * database, with the given providers replaced and further settings given as environment variables
 * (`env`). Tests talk to it with supertest (`app.getHttpServer()`); a benchmark that needs to
 * reach inside the service (bench/progress-page-benchmark.ts) runs it in its own process this way.
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
