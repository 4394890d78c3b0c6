import { Injectable } from '@nestjs/common';

import { AppConfig } from '../../core/config/app-config';
import { UnitOfWork } from '../../core/database/unit-of-work';
import { Metrics } from '../../core/metrics/metrics';
import { transferNotFound } from '../../sms-transfer/sms-transfer.errors';
import { SmsTransferRepository } from '../../sms-transfer/sms-transfer.repository';
import { GatewayReceipt, ReceiptRecorder, ReceiptResult } from '../../tracking/gateway-receipt';
import { SmsDocumentRepository } from '../sms-document.repository';
import { applyReceipt, Delivery, documentPerMessage, messageKey, MessageName, NamedMessage } from './delivery';
import { ReceiptRepository, Submission, TrackedMessage } from './receipt.repository';
import { messageIdTaken, pendingReceiptsFull } from './receipts.errors';

/** What a submission did: `changed + unchanged + unknown.length` is the number of distinct uniqueIds named. */
export interface SubmissionsResult {
  UBID: string;
  gateway: string;
  /** Documents that got their message id or moved from INIT to SENT. */
  changed: number;
  /** Documents that had the id and were SENT or DONE already. */
  unchanged: number;
  /** The uniqueIds the batch has no document for, in the order named; their ids are not set. */
  unknown: string[];
  /** Pending receipts of the ids submitted, applied now. */
  receiptsApplied: number;
}

/** What applying receipts in a unit of work did. */
interface Applied {
  results: ReceiptResult[];
  /** Receipts kept pending. */
  kept: number;
}

/**
 * The gateways' receipts, by message id, and the submissions and uploads that give documents their
 * ids (docs/receipts.md). Each call is one unit of work, which first takes the locks of the message ids
 * it names: a receipt and a submission of one id take turns, so a receipt either finds its document
 * or is kept where the submission finds it.
 *
 * `record()` takes any number of receipts of any gateways and batches: a layer that collects
 * single receipts arriving together can pass them in one call, one transaction, and answer each
 * caller its own result once the call resolves.
 */
@Injectable()
export class ReceiptsService extends ReceiptRecorder {
  /**
   * The pending receipts as this instance last counted them (the gauge's source, and what
   * PENDING_RECEIPTS_MAX bounds): at start-up and each expiry, then kept by its own changes.
   */
  pending = 0;

  constructor(
    private readonly receipts: ReceiptRepository,
    private readonly documents: SmsDocumentRepository,
    private readonly transfers: SmsTransferRepository,
    private readonly unitOfWork: UnitOfWork,
    private readonly metrics: Metrics,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async record(receipts: GatewayReceipt[]): Promise<ReceiptResult[]> {
    const { results, kept } = await this.unitOfWork.write(async () => {
      await this.receipts.lockMessageIds(receipts);
      return this.apply(receipts, true);
    });
    this.pending += kept;
    for (const result of results) this.metrics.gatewayReceipts.inc({ result });
    return results;
  }

  /**
   * Gives the named documents of the batch their gateway's message ids and moves the INIT ones to
   * SENT, then applies the receipts that were waiting for those ids. All or nothing: an id another
   * document holds is a 409 before anything is written.
   */
  async submit(ubid: string, gateway: string, messages: Submission[]): Promise<SubmissionsResult> {
    const submissions = lastPerDocument(messages);
    const named = submissions.map(({ uniqueId, messageId }): NamedMessage => ({ uniqueId, gateway, messageId }));
    const namedFor = documentPerMessage(named);
    const result = await this.unitOfWork.write(async () => {
      await this.receipts.lockMessageIds(named);
      if (!(await this.transfers.findByUbid(ubid))) throw transferNotFound(ubid);
      await this.refuseIdsHeldElsewhere(ubid, named, namedFor);
      const states = await this.documents.lockStates(
        ubid,
        submissions.map(({ uniqueId }) => uniqueId),
      );
      const known = submissions.filter(({ uniqueId }) => states.has(uniqueId));
      const changed = known.length > 0 ? await this.receipts.submit(ubid, gateway, known) : 0;
      const receiptsApplied = await this.applyPending(known.map(({ messageId }) => ({ gateway, messageId })));
      const unknown = submissions.filter(({ uniqueId }) => !states.has(uniqueId)).map(({ uniqueId }) => uniqueId);
      return { UBID: ubid, gateway, changed, unchanged: known.length - changed, unknown, receiptsApplied };
    });
    this.countApplied(result.receiptsApplied);
    return result;
  }

  /**
   * Runs `write`, which gives documents of the batch the message ids `named` (an upload's upsert),
   * in one unit of work with a submission's rules: the ids' locks first, an id another document
   * holds is a 409 before anything is written, and the receipts that were waiting for the ids are
   * applied after `write`, in the same transaction. `named` names each id once (see DocumentBatch).
   */
  async withMessageIds<T>(ubid: string, named: NamedMessage[], write: () => Promise<T>): Promise<T> {
    const namedFor = documentPerMessage(named);
    const { written, receiptsApplied } = await this.unitOfWork.write(async () => {
      await this.receipts.lockMessageIds(named);
      await this.refuseIdsHeldElsewhere(ubid, named, namedFor);
      const written = await write();
      return { written, receiptsApplied: await this.applyPending(named) };
    });
    this.countApplied(receiptsApplied);
    return written;
  }

  /** Counts the pending receipts again (a read): other instances add and apply them too. */
  async countPending(): Promise<number> {
    this.pending = await this.unitOfWork.read(() => this.receipts.countPending());
    return this.pending;
  }

  /** Drops the pending receipts older than PENDING_RECEIPTS_HOURS and counts those left; answers how many were dropped. */
  async expirePending(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.config.pendingReceipts.hours * 3_600_000);
    const { expired, left } = await this.unitOfWork.write(async () => ({
      expired: await this.receipts.deletePendingReceivedBefore(before),
      left: await this.receipts.countPending(),
    }));
    this.pending = left;
    this.metrics.pendingReceiptsExpired.inc(expired);
    return expired;
  }

  /** Under the ids' locks: an id named that a document other than the one it is named for holds is a 409 (the first such, in the order named). */
  private async refuseIdsHeldElsewhere(ubid: string, named: NamedMessage[], namedFor: Map<string, string>): Promise<void> {
    const holders = new Map((await this.receipts.findByMessageIds(named)).map((holder) => [messageKey(holder), holder]));
    for (const name of named) {
      const holder = holders.get(messageKey(name));
      if (holder && (holder.UBID !== ubid || holder.uniqueId !== namedFor.get(messageKey(name)))) {
        throw messageIdTaken(name.gateway, holder.messageId, holder.UBID, holder.uniqueId);
      }
    }
  }

  /** Applies the receipts that were waiting for ids just given to documents; answers how many. */
  private async applyPending(names: MessageName[]): Promise<number> {
    const waiting = await this.receipts.takePending(names);
    await this.apply(waiting, false);
    return waiting.length;
  }

  /** Once the unit of work that applied pending receipts has committed. */
  private countApplied(receiptsApplied: number): void {
    this.pending = Math.max(0, this.pending - receiptsApplied);
    this.metrics.pendingReceiptsApplied.inc(receiptsApplied);
  }

  /**
   * Applies receipts, in the order given, to the documents holding their ids, inside a unit of work
   * that holds the ids' locks; the others are kept pending when `keep` (else there are none: a
   * submission or an upload applies only receipts of ids it has just given documents).
   */
  private async apply(receipts: GatewayReceipt[], keep: boolean): Promise<Applied> {
    if (receipts.length === 0) return { results: [], kept: 0 };
    const documents = new Map((await this.receipts.lockByMessageIds(receipts)).map((document) => [messageKey(document), document]));
    const now = new Date();
    const changed = new Map<TrackedMessage, Delivery>();
    const results = receipts.map((receipt): ReceiptResult => {
      const document = documents.get(messageKey(receipt));
      if (!document) return 'pending';
      const next = applyReceipt(changed.get(document) ?? document, receipt, now);
      if (!next) return 'unchanged';
      changed.set(document, next);
      return 'applied';
    });
    await this.receipts.writeDeliveries(
      [...changed].map(([{ UBID, uniqueId }, { state, outcome, errorCode, doneAt }]) => ({
        UBID,
        uniqueId,
        state,
        outcome,
        errorCode,
        doneAt,
      })),
    );
    const pending = keep ? receipts.filter((_, index) => results[index] === 'pending') : [];
    if (pending.length > 0) {
      // This instance's count, not a COUNT(*) of the table (slow near a million rows on PostgreSQL):
      // other instances' changes join it at the next expiry (docs/receipts.md#receipts-before-their-id).
      const { max } = this.config.pendingReceipts;
      if (this.pending + pending.length > max) throw pendingReceiptsFull(max);
      await this.receipts.addPending(pending);
    }
    return { results, kept: pending.length };
  }
}

/** Each uniqueId once, with the message id of its last occurrence, as an upload takes its documents. */
function lastPerDocument(messages: Submission[]): Submission[] {
  return [...new Map(messages.map((message) => [message.uniqueId, message])).values()];
}
