import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { ServiceProcess, startService } from '../tools/service-process';
import { transfer } from './helpers/documents';
import { holdSqliteWriteLock } from './helpers/sqlite-lock';

const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const UPLOAD = { UBID, documents: [{ SMScount: 1, uniqueId: 'a', data: {} }] };

interface LogLine {
  level: number;
  msg: string;
  context?: string;
  req?: { id: string; method: string; url: string };
  res?: { statusCode: number };
}

/**
 * What the real service process logs (NODE_ENV=production: JSON lines on stdout) when a request
 * fails on the server's side: a 500 is a bug, logged with its stack; a 503 is an outage, logged as
 * a warning with the driver's words. Either line carries the request's id.
 */
describe('error logging (e2e, real process)', () => {
  let folder: string;
  let file: string;
  let service: ServiceProcess;

  // A service and a file per test: one test drops a table the other needs.
  beforeEach(async () => {
    folder = mkdtempSync(join(tmpdir(), 'tracking-logging-'));
    file = join(folder, 'tracking.db');
    service = await startService({ DATABASE_URL: `sqlite:${file}`, SQLITE_BUSY_TIMEOUT_MS: '200' });
    const created = await fetch(`${service.baseUrl}/tracking/sms_transfers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(transfer(UBID)),
    });
    expect(created.status).toBe(201);
  });
  afterEach(async () => {
    await service.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  /** Uploads with the given request id; answers the status, the body and every log line of that request. */
  async function upload(requestId: string): Promise<{ status: number; body: unknown; lines: LogLine[] }> {
    const response = await fetch(`${service.baseUrl}/tracking/sms_documents`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Request-Id': requestId },
      body: JSON.stringify(UPLOAD),
    });
    const body: unknown = await response.json();
    // pino-http's line is the request's last (5xx: "request errored"); the filter's comes before it on the same stream.
    await service.logged(new RegExp(`"id":"${requestId}".*"msg":"request (completed|errored)"`));
    const lines = service
      .output()
      .split('\n')
      .filter((line) => line.includes(`"id":"${requestId}"`))
      .map((line) => JSON.parse(line) as LogLine);
    return { status: response.status, body, lines };
  }

  it('logs a 503 for a locked database file at warn, with the driver’s message, the request id and no stack', async () => {
    const lock = await holdSqliteWriteLock(file);
    let answer: Awaited<ReturnType<typeof upload>>;
    try {
      answer = await upload('outage-1');
    } finally {
      await lock.release();
    }

    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 503,
      body: { statusCode: 503, detail: 'Database unavailable: the database file is locked by another program. Retry later.' },
    });
    const request = { id: 'outage-1', method: 'POST', url: '/tracking/sms_documents' };
    expect(answer.lines.map(({ level, msg, context, req, res }) => ({ level, msg, context, req, res }))).toEqual([
      { level: 40, msg: 'query failed', context: 'TypeORM', req: request, res: undefined },
      {
        level: 40,
        msg: 'Database unavailable: the database file is locked by another program (SQLITE_BUSY: database is locked)',
        context: 'HttpExceptionFilter',
        req: request,
        res: undefined,
      },
      { level: 50, msg: 'request errored', context: undefined, req: request, res: { statusCode: 503 } },
    ]);
  });

  it('logs a 500 at error with the stack of what went wrong and the request id, and answers no more than that it failed', async () => {
    // Another program drops a table under the running service: a failure the service has no answer for.
    const db = new Database(file);
    db.exec('DROP TABLE sms_documents');
    db.close();

    const answer = await upload('failure-1');

    expect({ status: answer.status, body: answer.body }).toEqual({
      status: 500,
      body: { statusCode: 500, detail: 'Internal server error' },
    });
    const [error, ...rest] = answer.lines.filter(({ context }) => context === 'HttpExceptionFilter');
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ level: 50, req: { id: 'failure-1', method: 'POST', url: '/tracking/sms_documents' } });
    const [message, ...stack] = error.msg.split('\n');
    expect(message).toBe('QueryFailedError: SQLITE_ERROR: no such table: sms_documents');
    expect(stack.length).toBeGreaterThan(0);
    expect(stack.filter((frame) => !/^ {4}at /.test(frame))).toEqual([]);
    expect(answer.lines.filter(({ context }) => context === undefined)).toMatchObject([
      { level: 50, msg: 'request errored', res: { statusCode: 500 } },
    ]);
  });
});

/**
 * Which key deleted: with API_KEYS, each DELETE's request line names the key by its fingerprint,
 * and no line holds a key. The real process, as the request lines come from its pino-http.
 */
describe('key fingerprints in the log (e2e, real process)', () => {
  const ADMIN_KEY = '3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e';
  const WRITE_KEY = '4a8e2c6f0b3d7e1a5c9f2b6d0e4a8c1f';
  let service: ServiceProcess;

  beforeAll(async () => {
    service = await startService({ DATABASE_URL: 'sqlite::memory:', API_KEYS: `${ADMIN_KEY},${WRITE_KEY}:write` });
  });
  afterAll(() => service.stop());

  /** Sends a request with the key and the request id; answers its status and its request line. */
  async function call(method: string, path: string, key: string, requestId: string, body?: unknown) {
    const response = await fetch(`${service.baseUrl}${path}`, {
      method,
      headers: { Authorization: `Bearer ${key}`, 'X-Request-Id': requestId, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const line = await service.logged(new RegExp(`"id":"${requestId}".*"msg":"request (completed|errored)"`));
    const { apiKeyFingerprint, res } = JSON.parse(line) as { apiKeyFingerprint?: string; res: { statusCode: number } };
    return { status: response.status, logged: { statusCode: res.statusCode, apiKeyFingerprint } };
  }

  it('names the key of each DELETE by the first 8 hex digits of its SHA-256, and never a key', async () => {
    const fingerprint = (key: string) => createHash('sha256').update(key).digest('hex').slice(0, 8);

    expect(await call('POST', '/tracking/sms_transfers', WRITE_KEY, 'create-1', transfer(UBID))).toEqual({
      status: 201,
      logged: { statusCode: 201, apiKeyFingerprint: undefined },
    });
    expect(await call('GET', `/tracking/sms_transfers/${UBID}`, ADMIN_KEY, 'read-1')).toEqual({
      status: 200,
      logged: { statusCode: 200, apiKeyFingerprint: undefined },
    });
    expect(await call('DELETE', `/tracking/sms_transfers/${UBID}`, ADMIN_KEY, 'delete-2')).toEqual({
      status: 204,
      logged: { statusCode: 204, apiKeyFingerprint: fingerprint(ADMIN_KEY) },
    });
    expect(await call('DELETE', '/tracking/sms_transfers?before=2024-03-01T00:00:00Z', ADMIN_KEY, 'purge-1')).toEqual({
      status: 200,
      logged: { statusCode: 200, apiKeyFingerprint: fingerprint(ADMIN_KEY) },
    });
    expect(service.output()).not.toContain(ADMIN_KEY);
    expect(service.output()).not.toContain(WRITE_KEY);
  });
});
