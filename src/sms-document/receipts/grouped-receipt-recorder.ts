import { Injectable } from '@nestjs/common';

import { GroupCommit, GroupCommitOptions } from '../../core/database/group-commit';
import { GatewayReceipt, ReceiptRecorder, ReceiptResult } from '../../tracking/gateway-receipt';
import { MAX_RECEIPTS_PER_REQUEST } from './dto/gateway-receipts.dto';
import { ReceiptsService } from './receipts.service';

/** Receipts that may wait for a turn at most; beyond, a callback is answered 503 (the gateways retry). */
export const RECEIPTS_WAITING_MAX = 50_000;

/**
 * How the callbacks' receipts are grouped, on both engines: one group at a time, gathering what
 * arrives while the one before is written, so that a group grows with the load and a callback that
 * comes alone is written at once. On SQLite writes take turns anyway. On PostgreSQL, groups side by
 * side (4, each after a 2 ms window) made 575 receipts/s at 64 in flight against 1,344 for one at a
 * time: receipts of one batch share its lock, so the groups waited for each other and only added
 * transactions (docs/performance.md).
 */
export const RECEIPT_GROUPING: GroupCommitOptions = {
  maxItems: MAX_RECEIPTS_PER_REQUEST,
  maxWaiting: RECEIPTS_WAITING_MAX,
};

/**
 * ReceiptRecorder as the gateways' callbacks meet it: one receipt per request, many at once. Those
 * arriving together are written by ReceiptsService in one transaction (one commit, one fsync for
 * all), and each callback is answered once that transaction has committed (docs/receipts.md).
 */
@Injectable()
export class GroupedReceiptRecorder extends ReceiptRecorder {
  private readonly group: GroupCommit<GatewayReceipt, ReceiptResult>;

  constructor(receipts: ReceiptsService) {
    super();
    this.group = new GroupCommit((batch) => receipts.record(batch), RECEIPT_GROUPING, 'receipts');
  }

  record(receipts: GatewayReceipt[]): Promise<ReceiptResult[]> {
    return this.group.submit(receipts);
  }
}
