import { Logger } from '@nestjs/common';

import { Metrics } from './metrics';

describe('Metrics', () => {
  /** The gauges' lines of a scrape: help and value, without the TYPE lines. */
  const gaugeLines = async (metrics: Metrics) =>
    (await metrics.registry.metrics())
      .split('\n')
      .filter((line) => /^(# HELP )?tracking_(sqlite_write_queue_depth|postgres_pool|body|exports)/.test(line));

  it('reads the pending receipts from their source at every scrape', async () => {
    const metrics = new Metrics(false);
    const receipts = { pending: 3 };
    metrics.watchPendingReceipts(receipts);
    const pendingLines = async () =>
      (await metrics.registry.metrics()).split('\n').filter((line) => /^(# HELP )?tracking_pending_receipts /.test(line));

    expect(await pendingLines()).toEqual([
      '# HELP tracking_pending_receipts Receipts kept until a submission names their message id (PENDING_RECEIPTS_MAX at most).',
      'tracking_pending_receipts 3',
    ]);
    receipts.pending = 0;
    expect(await pendingLines()).toContain('tracking_pending_receipts 0');
  });

  it('reads each gauge from the source it watches at every scrape', async () => {
    const metrics = new Metrics(false);
    const queue = { depth: 3 };
    const pool = { totalCount: 4, idleCount: 1, waitingCount: 2 };
    const budget = { usedBytes: 1024, limitBytes: 4096, waiting: 5 };
    const exports = { running: 6 };
    metrics.watchSqliteWriteQueue(queue);
    metrics.watchPostgresPool(pool);
    metrics.watchBodyBudget(budget);
    metrics.watchExports(exports);

    expect(await gaugeLines(metrics)).toEqual([
      '# HELP tracking_sqlite_write_queue_depth SQLite: writes waiting for the write connection or running on it.',
      'tracking_sqlite_write_queue_depth 3',
      '# HELP tracking_postgres_pool_size PostgreSQL: connections open in the pool (DATABASE_POOL_SIZE at most).',
      'tracking_postgres_pool_size 4',
      '# HELP tracking_postgres_pool_idle PostgreSQL: open connections not in use.',
      'tracking_postgres_pool_idle 1',
      '# HELP tracking_postgres_pool_waiting PostgreSQL: requests waiting for a connection.',
      'tracking_postgres_pool_waiting 2',
      '# HELP tracking_body_bytes_in_flight Bytes of request bodies in memory now (MAX_INFLIGHT_BODY_MB holds them).',
      'tracking_body_bytes_in_flight 1024',
      '# HELP tracking_body_bytes_limit The most bytes of request bodies in memory at once (MAX_INFLIGHT_BODY_MB).',
      'tracking_body_bytes_limit 4096',
      '# HELP tracking_body_waiting_requests Requests waiting for room for their body.',
      'tracking_body_waiting_requests 5',
      '# HELP tracking_exports_running Exports being sent now (MAX_CONCURRENT_EXPORTS at most).',
      'tracking_exports_running 6',
    ]);

    Object.assign(queue, { depth: 0 });
    Object.assign(pool, { totalCount: 7, idleCount: 8, waitingCount: 9 });
    Object.assign(budget, { usedBytes: 10, waiting: 11 });
    Object.assign(exports, { running: 12 });
    expect((await gaugeLines(metrics)).filter((line) => !line.startsWith('#'))).toEqual([
      'tracking_sqlite_write_queue_depth 0',
      'tracking_postgres_pool_size 7',
      'tracking_postgres_pool_idle 8',
      'tracking_postgres_pool_waiting 9',
      'tracking_body_bytes_in_flight 10',
      'tracking_body_bytes_limit 4096',
      'tracking_body_waiting_requests 11',
      'tracking_exports_running 12',
    ]);
  });

  it('shows only the gauges of the sources it was given', async () => {
    const metrics = new Metrics(false);
    metrics.watchSqliteWriteQueue({ depth: 1 });

    expect(await gaugeLines(metrics)).toEqual([
      '# HELP tracking_sqlite_write_queue_depth SQLite: writes waiting for the write connection or running on it.',
      'tracking_sqlite_write_queue_depth 1',
    ]);
  });

  // A scrape reads every gauge: one whose source fails must not turn /metrics into an error answer.
  it.each<[string, () => number, string]>([
    [
      'a source that throws',
      () => {
        throw new Error('the slots are gone');
      },
      'tracking_exports_running: the value was not recorded: the slots are gone',
    ],
    [
      'a value that is not a number',
      () => undefined as unknown as number,
      'tracking_exports_running: the value was not recorded: Value is not a valid number: undefined',
    ],
  ])('logs %s, keeps the gauge as it was and answers the scrape', async (_name, running, warning) => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const metrics = new Metrics(false);
    let read = () => 2;
    metrics.watchExports({
      get running() {
        return read();
      },
    });
    metrics.watchSqliteWriteQueue({ depth: 1 });
    await metrics.registry.metrics();

    read = running;

    expect((await gaugeLines(metrics)).filter((line) => !line.startsWith('#'))).toEqual([
      'tracking_exports_running 2',
      'tracking_sqlite_write_queue_depth 1',
    ]);
    expect(warn.mock.calls).toEqual([[warning]]);
    warn.mockRestore();
  });

  it('counts receipts by state and outcome', async () => {
    const metrics = new Metrics(false);

    metrics.recordReceipts('DONE', { changed: 4, unchanged: 1, unknown: 0 });
    metrics.recordReceipts('DONE', { changed: 1, unchanged: 0, unknown: 2 });

    expect((await metrics.receipts.get()).values.map(({ labels, value }) => [labels.state, labels.outcome, value])).toEqual([
      ['DONE', 'changed', 5],
      ['DONE', 'unchanged', 1],
      ['DONE', 'unknown', 2],
    ]);
  });

  // Counting runs after a commit: a count prom-client refuses must not turn the stored change into an error answer.
  it.each<[string, (metrics: Metrics) => void, string]>([
    [
      'a negative count',
      (metrics) => metrics.recordReceipts('SENT', { changed: 2, unchanged: -1, unknown: 0 }),
      'tracking_receipts_total: the value was not recorded: It is not possible to decrease a counter',
    ],
    [
      'a count that is not a finite number',
      (metrics) => metrics.documentsUpserted.inc(Infinity),
      'tracking_documents_upserted_total: the value was not recorded: Value is not a valid number: Infinity',
    ],
    [
      'a label the counter does not have',
      (metrics) => metrics.transfersDeleted.inc({ by: 'purge', reason: 'old' } as never),
      'tracking_transfers_deleted_total: the value was not recorded: Added label "reason" is not included in initial labelset: [ \'by\' ]',
    ],
    [
      'a label the histogram does not have, at the end of a timer',
      (metrics) => metrics.httpRequestDuration.startTimer()({ path: '/tracking' } as never),
      "http_request_duration_seconds: the value was not recorded: Added label \"path\" is not included in initial labelset: [ 'method', 'route', 'status' ]",
    ],
  ])('logs and drops %s instead of throwing, and counts the rest', async (_name, count, warning) => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const metrics = new Metrics(false);

    expect(() => count(metrics)).not.toThrow();

    expect(warn.mock.calls).toEqual([[warning]]);
    metrics.recordReceipts('DONE', { changed: 1, unchanged: 0, unknown: 0 });
    expect((await metrics.receipts.get()).values.find(({ labels }) => labels.state === 'DONE' && labels.outcome === 'changed')?.value).toBe(
      1,
    );
    warn.mockRestore();
  });

  it('collects the process metrics only when enabled, each app in a registry of its own', async () => {
    const names = async (metrics: Metrics) => (await metrics.registry.getMetricsAsJSON()).map(({ name }) => name);

    expect(await names(new Metrics(false))).not.toContain('process_cpu_user_seconds_total');
    expect(await names(new Metrics(true))).toEqual(
      expect.arrayContaining(['process_cpu_user_seconds_total', 'nodejs_eventloop_lag_seconds']),
    );
    // A second enabled instance would throw on a shared registry ("already registered").
    expect(await names(new Metrics(true))).toContain('http_requests_total');
  });
});
