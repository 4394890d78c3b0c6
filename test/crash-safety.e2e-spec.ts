import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { startService } from '../tools/service-process';
import { subBatch, transfer } from './helpers/documents';
import { killUnderLoad, postJson } from './helpers/kill-under-load';

const CLIENTS = 4;
const BATCH = 5000;
/** kill -9 once this many sub-batches were acknowledged, with the other clients' uploads in flight. */
const ACKNOWLEDGED_BEFORE_KILL = 6;
const ubidOf = (client: number) => `0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e1${client}`;
/** uniqueIds `c<client>b<batch>…`: a sub-batch is found again by its prefix. */
const prefixOf = (client: number, batch: number) => `c${client}b${String(batch).padStart(2, '0')}`;

interface Upload {
  client: number;
  batch: number;
}

/**
 * kill -9 the real service in the middle of a concurrent ingest on a SQLite file, then open the
 * file again: it is intact, every acknowledged sub-batch is there in full, and no sub-batch is
 * there in part (SQLite's WAL: a transaction is in the file whole or not at all).
 */
describe('crash safety (e2e, real process, SQLite file)', () => {
  let folder: string;
  let file: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'tracking-crash-'));
    file = join(folder, 'tracking.db');
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('keeps every acknowledged sub-batch whole and no sub-batch half, and starts again on the same file', async () => {
    const service = await startService({ DATABASE_URL: `sqlite:${file}` });
    for (let client = 0; client < CLIENTS; client++) {
      expect((await postJson(service, '/tracking/sms_transfers', transfer(ubidOf(client), 100 * BATCH))).status).toBe(201);
    }

    // Each client uploads sub-batch after sub-batch; every answer, before the kill or after it, is a 201.
    const nextBatch = Array<number>(CLIENTS).fill(0);
    const { requests: uploads, inFlightAtKill } = await killUnderLoad<Upload>(service, {
      clients: CLIENTS,
      acknowledgedBeforeKill: ACKNOWLEDGED_BEFORE_KILL,
      next: (client) => ({ client, batch: nextBatch[client]++ }),
      send: async ({ client, batch }) => {
        const response = await postJson(service, '/tracking/sms_documents', subBatch(ubidOf(client), prefixOf(client, batch), BATCH));
        await response.arrayBuffer();
        return response.status;
      },
      answer: 201,
    });
    const acknowledged = uploads.filter(({ outcome }) => outcome === 'acknowledged');
    expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });

    // The kill went out with every other client waiting for an answer, and no upload began after it.
    // An answer already on its way still arrived: such uploads are acknowledged too.
    expect(inFlightAtKill).toHaveLength(CLIENTS - 1);
    expect(uploads).toHaveLength(ACKNOWLEDGED_BEFORE_KILL + CLIENTS - 1);
    expect(uploads.filter(({ outcome }) => outcome === 'sent')).toEqual([]);

    let storedPerClient: number[];
    const db = new Database(file);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const countOf = db.prepare('SELECT COUNT(*) AS n FROM sms_documents WHERE UBID = ? AND uniqueId LIKE ?');
      const stored = uploads.map(({ item: { client, batch }, outcome }) => ({
        client,
        outcome,
        count: (countOf.get(ubidOf(client), `${prefixOf(client, batch)}%`) as { n: number }).n,
      }));
      expect(stored.filter(({ outcome }) => outcome === 'acknowledged').map(({ count }) => count)).toEqual(
        Array<number>(acknowledged.length).fill(BATCH),
      );
      for (const { count } of stored) expect([0, BATCH]).toContain(count);

      const sample = db
        .prepare('SELECT data FROM sms_documents WHERE UBID = ? AND uniqueId = ?')
        .get(ubidOf(0), `${prefixOf(0, 0)}00004`) as { data: string };
      expect(JSON.parse(sample.data)).toEqual(subBatch(ubidOf(0), prefixOf(0, 0), BATCH).documents[4].data);
      storedPerClient = Array.from({ length: CLIENTS }, (_, index) =>
        stored.filter(({ client }) => client === index).reduce((sum, { count }) => sum + count, 0),
      );
    } finally {
      db.close();
    }

    const restarted = await startService({ DATABASE_URL: `sqlite:${file}` });
    try {
      expect((await fetch(`${restarted.baseUrl}/health/ready`)).status).toBe(200);
      for (let index = 0; index < CLIENTS; index++) {
        const response = await fetch(`${restarted.baseUrl}/tracking/sms_documents/${ubidOf(index)}`);
        // A batch without documents answers 404, as in the original.
        const counted = response.status === 404 ? 0 : ((await response.json()) as { count: number }).count;
        expect(counted).toBe(storedPerClient[index]);
      }
    } finally {
      expect(await restarted.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
