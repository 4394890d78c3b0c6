import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

import { unavailabilityReason } from '../../core/database/database-unavailable';
import { TransactionContext } from '../../core/database/transaction-context';
import { UnitOfWork } from '../../core/database/unit-of-work';

/** A ready service answers within this; a slower database is as good as gone for a load balancer. */
export const READINESS_TIMEOUT_MS = 2_000;

/**
 * Readiness of the database: a query that reads the schema, not just `SELECT 1`, so that a SQLite
 * file whose tables cannot be read fails it too. The reason is worded like the API's 503s, never
 * with a host, port or path: the health routes need no API key. It runs as a read, so on a SQLite
 * file it does not wait for the uploads in flight.
 */
@Injectable()
export class DatabaseHealthIndicator {
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
      return indicator.down({ message: unavailabilityReason(error) ?? (error as Error).message });
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the database did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
