import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { ServiceProcess, startService } from '../tools/service-process';
import { subBatch, transfer } from './helpers/documents';
import { holdSqliteWriteLock } from './helpers/sqlite-lock';

const KEY = 'c0ffee00c0ffee00c0ffee00c0ffee00';
const UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';
const BATCH = 5000;
const REQUEST_ID = 'upload-in-flight';
/** The upload's statement, logged (LOG_LEVEL=debug) just before the service runs it. */
const UPLOAD_STATEMENT = new RegExp(String.raw`"id":"${REQUEST_ID}".*"query":"INSERT INTO \\"sms_documents\\"`);
const SIGTERM_RECEIVED = /SIGTERM received: no new connections/;

interface Outcome {
  /** The HTTP status and body, both undefined when the connection ended without an answer. */
  status?: number;
  body?: unknown;
}

interface Upload {
  /** The service answered `100 Continue`: its HTTP server has parsed the request, which is now in flight. */
  taken: Promise<void>;
  /** Sends the body; resolves once all of it is written to the socket. */
  sendBody(): Promise<void>;
  answered: Promise<Outcome>;
}

/**
 * Starts a 5000-document upload with `Expect: 100-continue` and sends its body only when told:
 * the service's `100 Continue` marks the moment it has taken the request, before which a closing
 * server may still drop the connection as idle.
 */
function startUpload(baseUrl: string): Upload {
  const request = httpRequest(`${baseUrl}/tracking/sms_documents`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}`, 'X-Request-Id': REQUEST_ID, Expect: '100-continue' },
  });
  const answered = new Promise<Outcome>((resolve) => {
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(text) }));
      response.on('error', () => resolve({}));
    });
    request.on('error', () => resolve({}));
  });
  request.flushHeaders();
  return {
    taken: once(request, 'continue').then(() => undefined),
    sendBody: () => new Promise((resolve) => request.end(JSON.stringify(subBatch(UBID, 'd', BATCH)), resolve)),
    answered,
  };
}

/**
 * Resolves once a new TCP connection to the service is refused. The listening socket closes a few
 * steps after the signal is logged, so each accepted attempt is closed and tried again 20 ms later.
 */
async function untilConnectionRefused(baseUrl: string): Promise<void> {
  const { hostname, port } = new URL(baseUrl);
  for (;;) {
    const socket = connect(Number(port), hostname);
    const refused = await new Promise<boolean>((resolve) => {
      socket.once('connect', () => resolve(false));
      socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
    });
    socket.destroy();
    if (refused) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function storedDocuments(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM sms_documents').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** The shutdown's steps and the upload's answer, in the order the service logged them. */
function shutdownSequence(service: ServiceProcess): string[] {
  return service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { msg?: string; req?: { id?: string }; res?: { statusCode?: number } })
    .flatMap(({ msg, req, res }) => {
      if (msg?.startsWith('SIGTERM received')) return ['SIGTERM received'];
      if (msg === 'Shut down cleanly') return [msg];
      if (msg === 'request completed' && req?.id === REQUEST_ID) return [`upload answered ${res?.statusCode}`];
      return [];
    });
}

/**
 * SIGTERM to the real service process while a 5000-document upload is in flight: the upload is
 * answered 201 and stored, then the process closes the database and exits 0. Each SIGTERM is sent
 * at a point the service or the socket marks, never after a delay; another program holds SQLite's
 * write lock until the service has logged the SIGTERM, so the upload cannot have finished before.
 */
describe('graceful shutdown (e2e, real process)', () => {
  let folder: string;
  let file: string;

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'tracking-shutdown-'));
    file = join(folder, 'tracking.db');
  });
  afterEach(() => rmSync(folder, { recursive: true, force: true }));

  async function serviceWithTransfer(env: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await startService({ DATABASE_URL: `sqlite:${file}`, API_KEYS: KEY, LOG_LEVEL: 'debug', ...env });
    const created = await fetch(`${service.baseUrl}/tracking/sms_transfers`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-API-Key': KEY },
      body: JSON.stringify(transfer(UBID, BATCH)),
    });
    expect(created.status).toBe(201);
    return service;
  }

  it.each([
    ['the service has taken the request, before its body is sent', 'taken'],
    ['the whole body is written', 'written'],
    ['the service has started the upload’s statement', 'statement'],
  ] as const)('SIGTERM once %s: answered 201 and stored, then exit 0', async (_moment, moment) => {
    const service = await serviceWithTransfer();
    const lock = await holdSqliteWriteLock(file);
    const upload = startUpload(service.baseUrl);
    try {
      await upload.taken;
      if (moment !== 'taken') await upload.sendBody();
      if (moment === 'statement') await service.logged(UPLOAD_STATEMENT);
      service.child.kill('SIGTERM');
      await service.logged(SIGTERM_RECEIVED);
      if (moment === 'taken') await upload.sendBody();
    } finally {
      await lock.release();
    }

    expect(await upload.answered).toEqual({
      status: 201,
      body: { result: `Inserted ${BATCH} document(s) for UBID '${UBID}' in table tracking.sms_documents`, count: BATCH },
    });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(storedDocuments(file)).toBe(BATCH);
    expect(shutdownSequence(service)).toEqual(['SIGTERM received', 'upload answered 201', 'Shut down cleanly']);
    expect(service.output()).not.toContain(KEY);
  });

  it('kills itself once SHUTDOWN_TIMEOUT_MS has passed with a request still running, which is neither acknowledged nor stored', async () => {
    const service = await serviceWithTransfer({ SHUTDOWN_TIMEOUT_MS: '500' });
    // Another program holds the write lock, so the upload waits out its busy timeout (10 s).
    const lock = await holdSqliteWriteLock(file);
    try {
      const upload = startUpload(service.baseUrl);
      await upload.taken;
      await upload.sendBody();
      await service.logged(UPLOAD_STATEMENT);
      service.child.kill('SIGTERM');

      expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });
      expect(await upload.answered).toEqual({});
      expect(service.output()).toContain('Requests still running after 500 ms (SHUTDOWN_TIMEOUT_MS): stopping without answering them');
    } finally {
      await lock.release();
    }
    expect(storedDocuments(file)).toBe(0);
  });

  it('on SIGINT too: stops accepting connections while the upload in flight is still running, answers it, exits 0', async () => {
    const service = await serviceWithTransfer();
    const lock = await holdSqliteWriteLock(file);
    const upload = startUpload(service.baseUrl);
    try {
      await upload.taken;
      await upload.sendBody();
      await service.logged(UPLOAD_STATEMENT);
      service.child.kill('SIGINT');
      await service.logged(/SIGINT received: no new connections/);
      // The process is alive (the lock holds the upload) and must refuse new connections.
      await untilConnectionRefused(service.baseUrl);
    } finally {
      await lock.release();
    }

    expect(await upload.answered).toMatchObject({ status: 201 });
    expect(await service.exited).toEqual({ code: 0, signal: null });
    expect(storedDocuments(file)).toBe(BATCH);
  });
});
