import 'reflect-metadata';

import { writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

import { NestFactory } from '@nestjs/core';

import { AppModule } from './app/app.module';
import { buildOpenApiDocument } from './app/openapi/openapi';
import { loadConfig } from './core/config/app-config';
import { PROJECT_ROOT } from './core/project-root';

/** The committed document that SDKs are generated from; a test fails when it differs from the code. */
export const OPENAPI_FILE = join(PROJECT_ROOT, 'docs', 'openapi.json');

/**
 * The OpenAPI document as `docs/openapi.json` holds it. The app is created in preview mode: Nest
 * scans the modules and controllers, which is all the document is made of, but instantiates no
 * provider, so no database is opened. The default config (not the environment's) keeps the
 * output the same on every machine.
 */
export async function renderOpenApiDocument(): Promise<string> {
  const app = await NestFactory.create(AppModule.forRoot(loadConfig({})), { preview: true, logger: false });
  try {
    return `${JSON.stringify(buildOpenApiDocument(app), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

/** `npm run openapi` */
if (require.main === module) {
  renderOpenApiDocument()
    .then((document) => {
      writeFileSync(OPENAPI_FILE, document);
      console.log(`Wrote ${relative(process.cwd(), OPENAPI_FILE)}`);
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exit(1);
    });
}
