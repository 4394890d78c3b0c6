import { Injectable, Logger } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

import { unavailabilityReason } from '../../core/database/database-unavailable';
import { TransactionContext } from '../../core/database/transaction-context';
import { UnitOfWork } from '../../core/database/unit-of-work';

/** A ready service answers within this; a slower database is as good as gone for a load balancer. */
export const READINESS_TIMEOUT_MS = 2_000;

/** The reason for a failure the service has no words of its own for: it names the part, the log has the rest. */
const DATABASE_CHECK_FAILED = "the database failed the readiness check (the service's log has the error)";

class ReadinessTimeout extends Error {}

/**
 * Readiness of the database: a query that reads the schema, not just `SELECT 1`, so that a SQLite
 * file whose tables cannot be read fails it too. The reason is worded like the API's 503s, never
 * with a host, port or path, nor any other text of the database's: the health routes need no API
 * key. A failure the service has no words for is answered as the database's, and logged as it is.
 * It runs as a read, so on a SQLite file it does not wait for the uploads in flight.
 */
@Injectable()
export class DatabaseHealthIndicator {
  private readonly logger = new Logger(DatabaseHealthIndicator.name);

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly context: TransactionContext,
    private readonly indicators: HealthIndicatorService,
  ) {}

  async check<const Key extends string>(key: Key): Promise<HealthIndicatorResult<Key>> {
    const indicator = this.indicators.check(key);
    try {
      await withTimeout(
        this.unitOfWork.read(() => this.context.manager.query('SELECT 1 FROM "sms_transfers" LIMIT 1')),
        READINESS_TIMEOUT_MS,
      );
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: this.reasonFor(error) });
    }
  }

  private reasonFor(error: unknown): string {
    if (error instanceof ReadinessTimeout) return error.message;
    const reason = unavailabilityReason(error);
    if (reason !== undefined) return reason;
    this.logger.error(`The readiness check failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return DATABASE_CHECK_FAILED;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReadinessTimeout(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
