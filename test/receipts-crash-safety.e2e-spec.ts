import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startService } from '../tools/service-process';
import { subBatch, transfer } from './helpers/documents';
import { killUnderLoad, postJson } from './helpers/kill-under-load';

const UBID = '3c1d2e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const DOCUMENTS = 2000;
const CLIENTS = 32;
/** kill -9 once this many receipts were acknowledged, with the other clients' receipts in flight. */
const ACKNOWLEDGED_BEFORE_KILL = 400;
const messageIdOf = (index: number) => `dlr-${String(index).padStart(6, '0')}`;

/**
 * kill -9 the real service in the middle of a storm of single Jasmin delivery reports, each of
 * which the service answers only after its group's commit (SQLITE_SYNCHRONOUS=FULL: on disk), then
 * start it again on the same file: every acknowledged receipt is there.
 */
describe('receipts under kill -9 (e2e, real process, SQLite file)', () => {
  let folder: string;
  let file: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'tracking-receipts-crash-'));
    file = join(folder, 'tracking.db');
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('loses no acknowledged receipt', async () => {
    const env = { DATABASE_URL: `sqlite:${file}`, SQLITE_SYNCHRONOUS: 'FULL' };
    const service = await startService(env);
    const post = (path: string, body: unknown) => postJson(service, path, body);
    const { documents } = subBatch(UBID, 'r', DOCUMENTS);
    expect((await post('/tracking/sms_transfers', transfer(UBID, DOCUMENTS))).status).toBe(201);
    expect((await post('/tracking/sms_documents', { UBID, documents })).status).toBe(201);
    const messages = documents.map(({ uniqueId }, index) => ({ uniqueId, messageId: messageIdOf(index) }));
    expect((await post(`/tracking/sms_documents/${UBID}/submissions`, { gateway: 'jasmin', messages })).status).toBe(200);

    // The clients share one list of documents, each reporting the next one not yet reported.
    let next = 0;
    const { requests: receipts } = await killUnderLoad<number>(service, {
      clients: CLIENTS,
      acknowledgedBeforeKill: ACKNOWLEDGED_BEFORE_KILL,
      next: () => (next < DOCUMENTS ? next++ : undefined),
      send: async (index) => {
        const query = new URLSearchParams({ id: messageIdOf(index), message_status: 'DELIVRD', level: '2', err: '000' });
        const response = await fetch(`${service.baseUrl}/tracking/gateways/jasmin/dlr?${query.toString()}`);
        return `${response.status} ${await response.text()}`;
      },
      answer: '200 ACK/Jasmin',
    });
    const acknowledged = receipts.filter(({ outcome }) => outcome === 'acknowledged').map(({ item }) => item);
    expect(await service.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(acknowledged.length).toBeGreaterThanOrEqual(ACKNOWLEDGED_BEFORE_KILL);
    expect(acknowledged.length).toBeLessThan(DOCUMENTS);

    const restarted = await startService(env);
    try {
      const outcomes = await Promise.all(
        acknowledged.map(async (index) => {
          const response = await fetch(`${restarted.baseUrl}/tracking/sms_documents/${UBID}/documents/${documents[index].uniqueId}`);
          const { state, outcome } = (await response.json()) as { state: string; outcome: string | null };
          return `${state} ${outcome}`;
        }),
      );
      expect(outcomes).toEqual(Array<string>(acknowledged.length).fill('DONE delivered'));
    } finally {
      expect(await restarted.stop()).toEqual({ code: 0, signal: null });
    }
  });
});
