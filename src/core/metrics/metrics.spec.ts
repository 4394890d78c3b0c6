import { Logger } from '@nestjs/common';

import { Metrics } from './metrics';

describe('Metrics', () => {
  it('reads a gauge from its source at every scrape', async () => {
    const metrics = new Metrics(false);
    let depth = 3;
    metrics.gauge('queue_depth', 'Writes queued.', () => depth);

    expect(await metrics.registry.getSingleMetricAsString('queue_depth')).toContain('queue_depth 3');
    depth = 0;
    expect(await metrics.registry.getSingleMetricAsString('queue_depth')).toContain('queue_depth 0');
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
