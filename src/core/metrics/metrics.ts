import { Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, CounterConfiguration, Gauge, Histogram, HistogramConfiguration, Registry } from 'prom-client';

/** Seconds, from a small read (a few ms) to the longest a request may take. */
const REQUEST_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Seconds a write waits for its turn: nothing, one statement, a few uploads, a queue that backs up. */
const QUEUE_WAIT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type ReceiptOutcome = 'changed' | 'unchanged' | 'unknown';

/*
 * What the gauges read at every scrape, each from the code that holds the value: an interface of
 * their own, so that this module knows no feature and no driver. Each names its fields as its
 * source does, and the source is handed over as it is.
 */

/** SQLite's write queue (SerialQueue): the writes waiting for the write connection or running on it. */
export interface WriteQueueLevels {
  readonly depth: number;
}

/** PostgreSQL's connection pool: the public counts of pg's `Pool`. */
export interface ConnectionPoolLevels {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** The in-flight body budget (BodyBudget). */
export interface BodyBudgetLevels {
  readonly usedBytes: number;
  readonly limitBytes: number;
  readonly waiting: number;
}

/** The receipts kept until their message id is named (the receipts' service counts them). */
export interface PendingReceiptLevels {
  readonly pending: number;
}

/** The export slots (ExportSlots): the exports being sent now. */
export interface ExportLevels {
  readonly running: number;
}

const logger = new Logger('Metrics');

/**
 * `record`, except that a value prom-client refuses (a negative count, NaN, a label it does not
 * know) is logged and dropped instead of thrown. Counting runs after a unit of work has committed:
 * a count gone wrong must never turn a stored change into an error answer.
 */
function neverThrowing<F extends (...args: never[]) => unknown>(name: string, record: F): F {
  return ((...args: Parameters<F>) => {
    try {
      record(...args);
    } catch (error) {
      logger.warn(`${name}: the value was not recorded: ${error instanceof Error ? error.message : String(error)}`);
    }
  }) as F;
}

/**
 * The service's Prometheus metrics, every one of them declared here, in a registry of its own
 * rather than prom-client's global one, so that every app of a process (the tests start many)
 * counts for itself (each metric is declared through counter(), histogram() or gauge(), which put it
 * there). The counters count whether or not /metrics is served (METRICS_ENABLED): an
 * increment costs nanoseconds. The gauges are registered by the `watch…` methods, with the source
 * they read at every scrape, so that an app shows only those of what it runs (the SQLite queue or
 * the PostgreSQL pool). The process metrics (CPU, memory, GC, event-loop lag) are only collected
 * when /metrics is served.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly httpRequests = this.counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
  });

  readonly httpRequestDuration = this.histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from the request to the last byte of its answer, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: REQUEST_BUCKETS,
  });

  readonly documentsUpserted = this.counter({
    name: 'tracking_documents_upserted_total',
    help: 'Documents stored by uploads, new or replaced.',
  });

  readonly receipts = this.counter({
    name: 'tracking_receipts_total',
    help: 'Documents named by delivery receipts, by the state they were to move to and what happened: changed, unchanged (already there), unknown (no such document).',
    labelNames: ['state', 'outcome'] as const,
  });

  readonly gatewayReceipts = this.counter({
    name: 'tracking_gateway_receipts_total',
    help: "Gateways' receipts recorded by message id, by what became of each: applied, unchanged (a duplicate, a late report), pending (no document has the id yet).",
    labelNames: ['result'] as const,
  });

  readonly pendingReceiptsApplied = this.counter({
    name: 'tracking_pending_receipts_applied_total',
    help: 'Pending receipts applied when a submission named their message id.',
  });

  readonly pendingReceiptsExpired = this.counter({
    name: 'tracking_pending_receipts_expired_total',
    help: 'Pending receipts dropped unapplied after PENDING_RECEIPTS_HOURS.',
  });

  readonly transfersCreated = this.counter({
    name: 'tracking_transfers_created_total',
    help: 'Transfers registered; a re-sent UBID counts again.',
  });

  readonly transfersDeleted = this.counter({
    name: 'tracking_transfers_deleted_total',
    help: 'Transfers deleted, by a request for one (request) or by a purge or the retention job (purge).',
    labelNames: ['by'] as const,
  });

  readonly documentsPurged = this.counter({
    name: 'tracking_documents_purged_total',
    help: 'Documents deleted by a purge or the retention job.',
  });

  readonly writeRetries = this.counter({
    name: 'tracking_write_retries_total',
    help: 'Writes run again because they met another write on the same rows (PostgreSQL: a deadlock or a serialization failure), by conflict.',
    labelNames: ['conflict'] as const,
  });

  readonly writeQueueWait = this.histogram({
    name: 'tracking_sqlite_write_queue_wait_seconds',
    help: 'SQLite: how long a write waited for its turn on the write connection.',
    buckets: QUEUE_WAIT_BUCKETS,
  });

  constructor(readonly enabled: boolean) {
    if (enabled) collectDefaultMetrics({ register: this.registry });
  }

  watchSqliteWriteQueue(queue: WriteQueueLevels): void {
    this.gauge('tracking_sqlite_write_queue_depth', 'SQLite: writes waiting for the write connection or running on it.', () => queue.depth);
  }

  watchPostgresPool(pool: ConnectionPoolLevels): void {
    this.gauge(
      'tracking_postgres_pool_size',
      'PostgreSQL: connections open in the pool (DATABASE_POOL_SIZE at most).',
      () => pool.totalCount,
    );
    this.gauge('tracking_postgres_pool_idle', 'PostgreSQL: open connections not in use.', () => pool.idleCount);
    this.gauge('tracking_postgres_pool_waiting', 'PostgreSQL: requests waiting for a connection.', () => pool.waitingCount);
  }

  watchBodyBudget(budget: BodyBudgetLevels): void {
    this.gauge(
      'tracking_body_bytes_in_flight',
      'Bytes of request bodies in memory now (MAX_INFLIGHT_BODY_MB holds them).',
      () => budget.usedBytes,
    );
    this.gauge(
      'tracking_body_bytes_limit',
      'The most bytes of request bodies in memory at once (MAX_INFLIGHT_BODY_MB).',
      () => budget.limitBytes,
    );
    this.gauge('tracking_body_waiting_requests', 'Requests waiting for room for their body.', () => budget.waiting);
  }

  watchExports(exports: ExportLevels): void {
    this.gauge('tracking_exports_running', 'Exports being sent now (MAX_CONCURRENT_EXPORTS at most).', () => exports.running);
  }

  watchPendingReceipts(receipts: PendingReceiptLevels): void {
    this.gauge(
      'tracking_pending_receipts',
      'Receipts kept until a submission names their message id (PENDING_RECEIPTS_MAX at most).',
      () => receipts.pending,
    );
  }

  /** `state` is only a label here, the name of the state the receipts were for: core knows no states. */
  recordReceipts(state: string, counts: Record<ReceiptOutcome, number>): void {
    for (const [outcome, count] of Object.entries(counts)) this.receipts.inc({ state, outcome }, count);
  }

  /** A counter in this app's registry whose `inc` never throws (see neverThrowing). */
  private counter<T extends string>(configuration: Omit<CounterConfiguration<T>, 'registers'>): Counter<T> {
    const metric = new Counter({ ...configuration, registers: [this.registry] });
    metric.inc = neverThrowing(configuration.name, metric.inc.bind(metric));
    return metric;
  }

  /** A histogram in this app's registry whose `observe`, and so the end of its timers, never throws (see neverThrowing). */
  private histogram<T extends string>(configuration: Omit<HistogramConfiguration<T>, 'registers'>): Histogram<T> {
    const metric = new Histogram({ ...configuration, registers: [this.registry] });
    metric.observe = neverThrowing(configuration.name, metric.observe.bind(metric));
    return metric;
  }

  /**
   * A gauge whose value is read from its source when Prometheus scrapes. A read that fails (a
   * source gone, a value prom-client refuses) is logged and leaves the gauge as it was: a gauge
   * gone wrong must not turn the whole scrape into an error answer.
   */
  private gauge(name: string, help: string, read: () => number): void {
    const update = neverThrowing(name, (gauge: Gauge) => gauge.set(read()));
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        update(this);
      },
    });
  }
}
