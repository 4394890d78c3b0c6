import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';

import { Metrics } from '../../core/metrics/metrics';
import { ReceiptsService } from './receipts.service';

/**
 * Counts the pending receipts at start-up, and every ten minutes drops those older than
 * PENDING_RECEIPTS_HOURS and counts those left (the gauge's value; other instances change it too). Always on, unlike the
 * retention job: pending receipts are bounded whatever RETENTION_DAYS says. It shows the count
 * as the `tracking_pending_receipts` gauge.
 */
@Injectable()
export class PendingReceiptsExpiry implements OnApplicationBootstrap {
  private readonly logger = new Logger(PendingReceiptsExpiry.name);

  constructor(
    private readonly receipts: ReceiptsService,
    metrics: Metrics,
  ) {
    metrics.watchPendingReceipts(receipts);
  }

  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.receipts.countPending();
    } catch (error) {
      // The gauge shows this instance's own changes until the first expiry counts again.
      this.logger.warn(`Pending receipts: not counted: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  @Cron(CronExpression.EVERY_10_MINUTES, { name: 'pending-receipts' })
  async expire(): Promise<void> {
    try {
      const expired = await this.receipts.expirePending();
      if (expired > 0) this.logger.log(`Pending receipts: dropped ${expired} older than PENDING_RECEIPTS_HOURS, unapplied`);
    } catch (error) {
      // The next run tries again; until then the receipts stay, and count against PENDING_RECEIPTS_MAX.
      this.logger.warn(`Pending receipts: the expiry stopped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
