import { Injectable } from '@nestjs/common';

import { AppConfig } from '../../core/config/app-config';
import { GroupCommit, GroupCommitOptions } from '../../core/database/group-commit';
import { GatewayReceipt, ReceiptRecorder, ReceiptResult } from '../../tracking/gateway-receipt';
import { MAX_RECEIPTS_PER_REQUEST } from './dto/gateway-receipts.dto';
import { ReceiptsService } from './receipts.service';

/** Receipts that may wait for a turn at most; beyond, a callback is answered 503 (the gateways retry). */
export const RECEIPTS_WAITING_MAX = 50_000;

/**
 * How the callbacks' receipts are grouped on each engine. SQLite writes take turns in one queue
 * anyway: one group at a time, gathering what arrives while the one before is written. PostgreSQL
 * writes side by side: a few groups at once, each after a short window in which callbacks arriving
 * together join it, so that one commit serves them.
 */
export function receiptGrouping(config: AppConfig): GroupCommitOptions {
  const sideBySide = config.database.engine === 'postgres' ? Math.max(1, Math.min(4, Math.floor(config.database.poolSize / 2))) : 1;
  return {
    maxItems: MAX_RECEIPTS_PER_REQUEST,
    maxWaiting: RECEIPTS_WAITING_MAX,
    concurrency: sideBySide,
    windowMs: config.database.engine === 'postgres' ? 2 : 0,
  };
}

/**
 * ReceiptRecorder as the gateways' callbacks meet it: one receipt per request, many at once. Those
 * arriving together are written by ReceiptsService in one transaction (one commit, one fsync for
 * all), and each callback is answered once that transaction has committed (docs/receipts.md).
 */
@Injectable()
export class GroupedReceiptRecorder extends ReceiptRecorder {
  private readonly group: GroupCommit<GatewayReceipt, ReceiptResult>;

  constructor(receipts: ReceiptsService, config: AppConfig) {
    super();
    this.group = new GroupCommit((batch) => receipts.record(batch), receiptGrouping(config), 'receipts');
  }

  record(receipts: GatewayReceipt[]): Promise<ReceiptResult[]> {
    return this.group.submit(receipts);
  }
}
