import { INestApplication } from '@nestjs/common';
import parsePrometheusTextFormat, { MetricFamily } from 'parse-prometheus-text-format';
import request from 'supertest';

import { Metrics } from '../src/core/metrics/metrics';
import { EXAMPLE_UBID } from '../src/tracking/decorators';
import { createTestApp } from '../tools/app-in-process';
import { mockedRepositories, mockSmsDocumentRepository, mockSmsTransferRepository } from './helpers/mocks';
import { startTestServer, TestServer } from './helpers/test-app';
import { createDatabase, describeOnPostgres } from './helpers/test-database';

const KEY = '3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e';
const TRANSFER = { UBID: EXAMPLE_UBID, fileName: 'f.json', origName: 'f.csv', documents: 2, SMScount: 2 };
const DOCUMENTS = [
  { uniqueId: '1', SMScount: 1, data: {} },
  { uniqueId: '2', SMScount: 1, data: {} },
];

/** GET /metrics, parsed by a real parser of the Prometheus text format, by metric name. */
async function scrape(app: INestApplication): Promise<Map<string, MetricFamily>> {
  const response = await request(app.getHttpServer()).get('/metrics').expect(200);
  expect(response.headers['content-type']).toBe('text/plain; charset=utf-8; version=0.0.4');
  return new Map(parsePrometheusTextFormat(response.text).map((family) => [family.name, family]));
}

/** The value of the sample of `name` whose labels include `labels`. */
function sample(metrics: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const found = metrics
    .get(name)
    ?.metrics.find((candidate) => Object.entries(labels).every(([key, value]) => candidate.labels?.[key] === value));
  return found === undefined ? undefined : Number(found.value ?? found.count);
}

describe('GET /metrics (e2e, mocked repositories)', () => {
  let app: INestApplication;
  const transfers = mockSmsTransferRepository();
  const documents = mockSmsDocumentRepository();

  beforeAll(async () => {
    app = await createTestApp(mockedRepositories(transfers, documents), 'sqlite::memory:', { API_KEYS: KEY });
  });
  afterAll(() => app.close());

  it('serves the counters by route template, the body budget and the process metrics, open like the health probes', async () => {
    transfers.upsert.mockResolvedValue({ ...TRANSFER, state: 'INIT', fallbackCount: 0, when: new Date() });
    transfers.findByUbid.mockResolvedValue(null);
    const http = () => request(app.getHttpServer());
    const withKey = { Authorization: `Bearer ${KEY}` };
    await http().post('/tracking/sms_transfers').set(withKey).send(TRANSFER).expect(201);
    await http().post('/tracking/sms_documents').set(withKey).send({ UBID: EXAMPLE_UBID, documents: DOCUMENTS }).expect(201);
    await http().get(`/tracking/sms_transfers/${EXAMPLE_UBID}`).set(withKey).expect(404);
    await http().get(`/tracking/sms_transfers/${EXAMPLE_UBID}/`).set(withKey).expect(404);
    await http().get('/tracking/sms_transfers').expect(401);
    await http().get('/metrics').expect(200);
    await http().get('/tracking/nothing-here').set(withKey).expect(404);

    const metrics = await scrape(app);

    expect(sample(metrics, 'http_requests_total', { method: 'GET', route: '/tracking/sms_transfers/:ubid', status: '404' })).toBe(2);
    expect(sample(metrics, 'http_requests_total', { method: 'POST', route: '/tracking/sms_transfers', status: '201' })).toBe(1);
    expect(sample(metrics, 'http_requests_total', { method: 'GET', route: 'unrouted', status: '401' })).toBe(1);
    // Unknown paths meet the router's catch-all route, and count under its template.
    expect(sample(metrics, 'http_requests_total', { method: 'GET', route: '/{*path}', status: '404' })).toBe(1);
    // The text parser folds a histogram's label sets into one; prom-client's own reading keeps them.
    const durations = await app.get(Metrics).httpRequestDuration.get();
    const uploadCount = durations.values.find(
      ({ metricName, labels }) => metricName === 'http_request_duration_seconds_count' && labels.route === '/tracking/sms_documents',
    );
    expect(uploadCount).toMatchObject({ labels: { method: 'POST', status: '201' }, value: 1 });
    // No label carries a path: a UBID would make a series per batch.
    const labels = [...metrics.values()].flatMap((family) => family.metrics.flatMap((one) => Object.values(one.labels ?? {})));
    expect(labels.filter((value) => value.includes(EXAMPLE_UBID) || value.includes('nothing-here'))).toEqual([]);

    expect(sample(metrics, 'tracking_documents_upserted_total')).toBe(2);
    expect(sample(metrics, 'tracking_transfers_created_total')).toBe(1);
    expect(sample(metrics, 'tracking_body_bytes_limit')).toBe(32 * 1024 * 1024);
    expect(sample(metrics, 'tracking_body_bytes_in_flight')).toBe(0);
    expect(sample(metrics, 'tracking_body_waiting_requests')).toBe(0);
    expect(sample(metrics, 'tracking_exports_running')).toBe(0);
    // Every metric of the service is served from the first scrape, whether it has counted anything yet or not;
    // the gauges of the database's engine only with a real database (below).
    const served = [...metrics].filter(([name]) => /^(http|tracking)_/.test(name)).map(([name, family]) => [name, family.type]);
    expect(Object.fromEntries(served)).toEqual({
      http_requests_total: 'COUNTER',
      http_request_duration_seconds: 'HISTOGRAM',
      tracking_documents_upserted_total: 'COUNTER',
      tracking_gateway_receipts_total: 'COUNTER',
      tracking_pending_receipts: 'GAUGE',
      tracking_pending_receipts_applied_total: 'COUNTER',
      tracking_pending_receipts_expired_total: 'COUNTER',
      tracking_receipts_total: 'COUNTER',
      tracking_transfers_created_total: 'COUNTER',
      tracking_transfers_deleted_total: 'COUNTER',
      tracking_documents_purged_total: 'COUNTER',
      tracking_write_retries_total: 'COUNTER',
      tracking_sqlite_write_queue_wait_seconds: 'HISTOGRAM',
      tracking_body_bytes_in_flight: 'GAUGE',
      tracking_body_bytes_limit: 'GAUGE',
      tracking_body_waiting_requests: 'GAUGE',
      tracking_exports_running: 'GAUGE',
    });
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_eventloop_lag_p99_seconds',
    ]) {
      expect({ name, present: metrics.has(name) }).toEqual({ name, present: true });
    }
  });
});

describe('GET /metrics on a real database (e2e)', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("times the writes' waits in the SQLite write queue and shows its depth", async () => {
    const http = () => request(server.url);
    await http().post('/tracking/sms_transfers').send(TRANSFER).expect(201);
    await Promise.all(
      Array.from({ length: 5 }, () =>
        http().post('/tracking/sms_documents').send({ UBID: EXAMPLE_UBID, documents: DOCUMENTS }).expect(201),
      ),
    );

    const metrics = await scrape(server.app);

    expect(sample(metrics, 'tracking_sqlite_write_queue_wait_seconds')).toBe(6);
    expect(sample(metrics, 'tracking_sqlite_write_queue_depth')).toBe(0);
    expect(metrics.has('tracking_postgres_pool_size')).toBe(false);
  });
});

describeOnPostgres('GET /metrics on PostgreSQL (e2e)', () => {
  let app: INestApplication;
  let remove: () => Promise<void>;

  beforeAll(async () => {
    const database = await createDatabase('postgres');
    remove = database.remove;
    app = await createTestApp([], database.url, { DATABASE_POOL_SIZE: '3' });
  });
  afterAll(async () => {
    await app.close();
    await remove();
  });

  it("shows the pool's size, idle and waiting connections", async () => {
    await request(app.getHttpServer()).get('/health/ready').expect(200);

    const metrics = await scrape(app);

    expect(sample(metrics, 'tracking_postgres_pool_size')).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'tracking_postgres_pool_idle')).toBeGreaterThanOrEqual(1);
    expect(sample(metrics, 'tracking_postgres_pool_waiting')).toBe(0);
    expect(metrics.has('tracking_sqlite_write_queue_depth')).toBe(false);
  });
});

describe('METRICS_ENABLED=false (e2e)', () => {
  it('serves no /metrics', async () => {
    const app = await createTestApp([], 'sqlite::memory:', { METRICS_ENABLED: 'false' });
    try {
      await request(app.getHttpServer()).get('/metrics').expect(404, { statusCode: 404, detail: 'Cannot GET /metrics' });
    } finally {
      await app.close();
    }
  });
});
