import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { subBatch, transfer } from './helpers/documents';
import { startService } from './helpers/service-process';
import { holdSqliteWriteLock } from './helpers/sqlite-lock';

const KEY = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const BATCH = 5000;

interface Outcome {
  /** The HTTP status, or undefined when the connection ended without an answer. */
  status?: number;
}

/**
 * POSTs a body and calls `sent` once the whole body is on the wire, so that a signal can be
 * timed against a request the service is reading or running.
 */
function post(baseUrl: string, path: string, body: unknown, sent: () => void): Promise<Outcome> {
  return new Promise((resolve) => {
    const request = httpRequest(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` },
    });
    request.on('response', (response) => {
      response.resume();
      response.on('end', () => resolve({ status: response.statusCode }));
    });
    request.on('error', () => resolve({}));
    request.end(JSON.stringify(body), sent);
  });
}

function storedDocuments(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM sms_documents').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * SIGTERM to the real service process while a 5000-document upload is under way: the upload is
 * either stored and acknowledged, or neither; the process closes the database and exits 0.
 */
describe('graceful shutdown (e2e, real process)', () => {
  let folder: string;
  let file: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tracking-shutdown-'));
    file = join(folder, 'tracking.db');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  it.each([0, 5, 25, 100])(
    'SIGTERM %i ms after a 5000-document upload was sent: stored and acknowledged, or neither; exit 0',
    async (delayMs) => {
      const service = await startService({ DATABASE_URL: `sqlite:${file}`, API_KEYS: KEY, LOG_LEVEL: 'debug' });
      const created = await fetch(`${service.baseUrl}/tracking/sms_transfers`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY },
        body: JSON.stringify(transfer(UBID, BATCH)),
      });
      expect(created.status).toBe(201);

      const upload = post(service.baseUrl, '/tracking/sms_documents', subBatch(UBID, 'd', BATCH), () => {
        setTimeout(() => service.child.kill('SIGTERM'), delayMs);
      });
      const outcome = await upload;
      const exit = await service.exited;

      expect(exit).toEqual({ code: 0, signal: null });
      expect(outcome.status === undefined || outcome.status === 201).toBe(true);
      expect(storedDocuments(file)).toBe(outcome.status === 201 ? BATCH : 0);
      expect(service.output()).toContain('SIGTERM received: no new connections');
      expect(service.output()).toContain('Shut down cleanly');
      expect(service.output()).not.toContain(KEY);
    },
  );

  it('kills itself once SHUTDOWN_TIMEOUT_MS has passed with a request still running, which is neither acknowledged nor stored', async () => {
    const service = await startService({ DATABASE_URL: `sqlite:${file}`, API_KEYS: KEY, SHUTDOWN_TIMEOUT_MS: '500' });
    await fetch(`${service.baseUrl}/tracking/sms_transfers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY },
      body: JSON.stringify(transfer(UBID, BATCH)),
    });
    // Another program holds the write lock, so the upload waits out its busy timeout (10 s).
    const lock = await holdSqliteWriteLock(file);
    try {
      const upload = post(service.baseUrl, '/tracking/sms_documents', subBatch(UBID, 'd', BATCH), () => {
        setTimeout(() => service.child.kill('SIGTERM'), 200);
      });

      expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await upload).toEqual({});
      expect(service.output()).toContain('Requests still running after 500 ms (SHUTDOWN_TIMEOUT_MS): stopping without answering them');
    } finally {
      await lock.release();
    }
    expect(storedDocuments(file)).toBe(0);
  });

  it('exits 0 on SIGINT too, and refuses new connections from then on', async () => {
    const service = await startService({ DATABASE_URL: `sqlite:${file}` });
    await fetch(`${service.baseUrl}/health`);

    expect(await service.stop('SIGINT')).toEqual({ code: 0, signal: null });
    await expect(fetch(`${service.baseUrl}/health`)).rejects.toThrow();
  });
});
