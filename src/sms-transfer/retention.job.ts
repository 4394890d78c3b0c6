import { Injectable, Logger } from '@nestjs/common';
import { Cron, CronExpression } from '@nestjs/schedule';

import { AppConfig } from '../core/config/app-config';
import { SmsTransferService } from './sms-transfer.service';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * RETENTION_DAYS: every hour, removes the transfers that, with all their documents, have not
 * changed for that many days. The purge deletes in short statements (SmsTransferService.purge),
 * so ingest and reads go on while it runs. Without the setting it does nothing.
 */
@Injectable()
export class RetentionJob {
  private readonly logger = new Logger(RetentionJob.name);
  /** A purge that outlasts the hour is not started a second time beside itself. */
  private running = false;

  constructor(
    private readonly config: AppConfig,
    private readonly transfers: SmsTransferService,
  ) {}

  @Cron(CronExpression.EVERY_HOUR, { name: 'retention' })
  async removeExpired(): Promise<void> {
    const days = this.config.retentionDays;
    if (days === null || this.running) return;
    this.running = true;
    const before = new Date(Date.now() - days * DAY_MS);
    try {
      const { transfers, documents } = await this.transfers.purge(before);
      if (transfers > 0 || documents > 0) {
        this.logger.log(`Retention: removed ${transfers} transfer(s) and ${documents} document(s) unchanged since ${before.toISOString()}`);
      }
    } catch (error) {
      // The next hour tries again; what was removed so far stays removed.
      this.logger.warn(`Retention: the purge stopped: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
  }
}
