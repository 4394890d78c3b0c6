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
