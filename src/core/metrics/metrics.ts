import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

import { TrackingState } from '../tracking-state';

/** Seconds, from a small read (a few ms) to the longest a request may take. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds a write waits for its turn: nothing, one statement, a few uploads, a queue that backs up. */
const QUEUE_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type ReceiptOutcome = 'changed' | 'unchanged' | 'unknown';

/**
 * The service's Prometheus metrics, in a registry of its own rather than prom-client's global one,
 * so that every app of a process (the tests start many) counts for itself. The counters count
 * whether or not /metrics is served (METRICS_ENABLED): an increment costs nanoseconds. The process
 * metrics (CPU, memory, GC, event-loop lag) are only collected when it is.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to the last byte of its answer, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  readonly documentsUpserted = new Counter({
    name: 'tracking_documents_upserted_total',
    help: 'Documents stored by uploads, new or replaced.',
    registers: [this.registry],
  });

  readonly receipts = new Counter({
    name: 'tracking_receipts_total',
    help: 'Documents named by delivery receipts, by the state they were to move to and what happened: changed, unchanged (already there), unknown (no such document).',
    labelNames: ['state', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly transfersCreated = new Counter({
    name: 'tracking_transfers_created_total',
    help: 'Transfers registered; a re-sent UBID counts again.',
    registers: [this.registry],
  });

  readonly transfersDeleted = new Counter({
    name: 'tracking_transfers_deleted_total',
    help: 'Transfers deleted, by a request for one (request) or by a purge or the retention job (purge).',
    labelNames: ['by'] as const,
    registers: [this.registry],
  });

  readonly documentsPurged = new Counter({
    name: 'tracking_documents_purged_total',
    help: 'Documents deleted by a purge or the retention job.',
    registers: [this.registry],
  });

  readonly writeQueueWait = new Histogram({
    name: 'tracking_sqlite_write_queue_wait_seconds',
    help: 'SQLite: how long a write waited for its turn on the write connection.',
    buckets: QUEUE_WAIT_BUCKETS,
    registers: [this.registry],
  });

  constructor(readonly enabled: boolean) {
    if (enabled) collectDefaultMetrics({ register: this.registry });
  }

  /** A gauge whose value is read when Prometheus scrapes, from whatever holds it. */
  gauge(name: string, help: string, read: () => number): void {
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  recordReceipts(state: TrackingState, counts: Record<ReceiptOutcome, number>): void {
    for (const [outcome, count] of Object.entries(counts)) this.receipts.inc({ state, outcome }, count);
  }
}
