import { TrackingState } from '../tracking-state';
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

    metrics.recordReceipts(TrackingState.DONE, { changed: 4, unchanged: 1, unknown: 0 });
    metrics.recordReceipts(TrackingState.DONE, { changed: 1, unchanged: 0, unknown: 2 });

    expect((await metrics.receipts.get()).values.map(({ labels, value }) => [labels.state, labels.outcome, value])).toEqual([
      ['DONE', 'changed', 5],
      ['DONE', 'unchanged', 1],
      ['DONE', 'unknown', 2],
    ]);
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
