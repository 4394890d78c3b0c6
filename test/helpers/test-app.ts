import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { INestApplication } from '@nestjs/common';

import { createTestApp } from '../../tools/app-in-process';

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
