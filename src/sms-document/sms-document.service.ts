import { Injectable } from '@nestjs/common';

import { IntegrityError } from '../core/database/integrity-error';
import { UnitOfWork } from '../core/database/unit-of-work';
import { Metrics } from '../core/metrics/metrics';
import { transferNotFound } from '../sms-transfer/sms-transfer.errors';
import { SmsTransferRepository } from '../sms-transfer/sms-transfer.repository';
import { isBackwards, TrackingState } from '../tracking/tracking-state';
import { DocumentBatch } from './domain/document-batch';
import {
  ExportedSmsDocument,
  ReceiptsResult,
  SmsDocument,
  SmsDocumentPage,
  SmsDocumentPageQuery,
  SmsDocumentsSummary,
} from './domain/sms-document';
import {
  DocumentExport,
  DocumentExportQuery,
  encodeExport,
  EXPORT_ENCODINGS,
  EXPORT_PAGE_BYTES,
  EXPORT_PAGE_SIZE,
} from './export/document-export';
import { ReceiptsService } from './receipts/receipts.service';
import { documentMovingBackwards, documentNotFound, documentsNotFound, documentsRefused } from './sms-document.errors';
import { SmsDocumentRepository } from './sms-document.repository';

/** The rules for documents; each method is one API call and so one unit of work. Error texts are the original's. */
@Injectable()
export class SmsDocumentService {
  constructor(
    private readonly documents: SmsDocumentRepository,
    private readonly transfers: SmsTransferRepository,
    private readonly receipts: ReceiptsService,
    private readonly unitOfWork: UnitOfWork,
    private readonly metrics: Metrics,
  ) {}

  /**
   * Stores an upload's documents (each uniqueId once: see DocumentBatch) in one statement; answers
   * how many. An upload that names message ids takes their locks first and applies the receipts
   * that were waiting for them after, in the same transaction, as a submission does; one that names
   * none, the common case, is that statement alone.
   */
  async upsert(batch: DocumentBatch): Promise<number> {
    const { UBID: ubid, count, messageIds } = batch;
    const upsertMany = () => this.documents.upsertMany(batch);
    try {
      if (messageIds.length === 0) await this.unitOfWork.writeSingleStatement(upsertMany);
      else await this.receipts.withMessageIds(ubid, messageIds, upsertMany);
    } catch (error) {
      if (error instanceof IntegrityError) throw documentsRefused(ubid, error.reason);
      throw error;
    }
    this.metrics.documentsUpserted.inc(count);
    return count;
  }

  async count(ubid: string): Promise<number> {
    const count = await this.unitOfWork.read(() => this.documents.countByUbid(ubid));
    return orNotFound(ubid, count);
  }

  /**
   * Moves the documents behind `state` forward and answers how many moved; those already in it or
   * further along are left as they are and not counted. Not found still means "no documents at
   * all": asked only when none moved, with one probe (a count read the whole batch, on PostgreSQL
   * all its row versions too).
   */
  updateState(ubid: string, state: TrackingState): Promise<number> {
    return this.unitOfWork.write(async () => {
      const moved = await this.documents.updateStateByUbid(ubid, state);
      if (moved === 0 && !(await this.documents.hasDocuments(ubid))) throw documentsNotFound(ubid);
      return moved;
    });
  }

  async summarize(ubid: string): Promise<SmsDocumentsSummary> {
    return (await this.findSummary(ubid)) ?? throwTransferNotFound(ubid);
  }

  /** The summary of a registered transfer; null when there is no such transfer. */
  findSummary(ubid: string): Promise<SmsDocumentsSummary | null> {
    return this.unitOfWork.read(async () => {
      if (!(await this.transfers.findByUbid(ubid))) return null;
      const { counts, lastChange, delivery } = await this.documents.countStates(ubid);
      const total = Object.values(counts).reduce((sum, count) => sum + count, 0);
      return { UBID: ubid, total, ...counts, lastChange, ...delivery };
    });
  }

  /**
   * Delivery receipts: all or nothing. A document further along than `state` makes the whole
   * request a conflict before anything is written; documents already in it are no-ops; uniqueIds
   * the batch does not have are reported, not refused (a gateway may report messages of other
   * batches).
   * The answer is decided from the documents as locked (lockStates), and only those move: a
   * document another request stores meanwhile is not one of them, so the counts always add up to
   * the uniqueIds named.
   */
  async recordReceipts(ubid: string, state: TrackingState, uniqueIds: string[]): Promise<ReceiptsResult> {
    const named = [...new Set(uniqueIds)];
    const result = await this.unitOfWork.write(async () => {
      await this.requireTransfer(ubid);
      const current = await this.documents.lockStates(ubid, named);
      const behind: string[] = [];
      for (const uniqueId of named) {
        const from = current.get(uniqueId);
        if (from && isBackwards(from, state)) throw documentMovingBackwards(ubid, uniqueId, from, state);
        if (from && from !== state) behind.push(uniqueId);
      }
      if (behind.length > 0) await this.documents.updateStates(ubid, behind, state);
      const unknown = named.filter((uniqueId) => !current.has(uniqueId));
      return { UBID: ubid, state, changed: behind.length, unchanged: current.size - behind.length, unknown };
    });
    this.metrics.recordReceipts(state, { changed: result.changed, unchanged: result.unchanged, unknown: result.unknown.length });
    return result;
  }

  list(ubid: string, query: SmsDocumentPageQuery): Promise<SmsDocumentPage> {
    return this.unitOfWork.read(async () => {
      await this.requireTransfer(ubid);
      return this.documents.findPage(ubid, query);
    });
  }

  get(ubid: string, uniqueId: string): Promise<SmsDocument> {
    return this.unitOfWork.read(async () => {
      const document = await this.documents.findOne(ubid, uniqueId);
      if (!document) throw documentNotFound(ubid, uniqueId);
      return document;
    });
  }

  /**
   * Every document of the batch (in `state`), with its data, in uniqueId order, as the text of
   * `format`. The not-found error is thrown here, before anything is sent. The documents are then
   * read a keyset page at a time, each page a read of its own, only as the caller consumes the
   * text: memory stays flat, and no connection is held while a slow client reads. So the export is not one snapshot:
   * a document changed during it shows as it was when its page was read (docs/operations.md).
   */
  async export(ubid: string, { state, format }: DocumentExportQuery): Promise<DocumentExport> {
    await this.unitOfWork.read(() => this.requireTransfer(ubid));
    return {
      contentType: EXPORT_ENCODINGS[format].contentType,
      fileName: `${ubid}.${format}`,
      chunks: encodeExport(this.pagesWithData(ubid, state), format),
    };
  }

  /**
   * The pages of an export, each at most EXPORT_PAGE_SIZE documents and EXPORT_PAGE_BYTES of data.
   * A page sizes twice as many documents as the last one took (up to EXPORT_PAGE_SIZE): a batch of
   * big documents is then not sized a thousand at a time for pages of sixteen, and one of small
   * documents is back to full pages after a few.
   */
  private async *pagesWithData(ubid: string, state?: TrackingState): AsyncGenerator<ExportedSmsDocument[]> {
    let after: string | undefined;
    let limit = EXPORT_PAGE_SIZE;
    do {
      const query = { state, limit, after, maxBytes: EXPORT_PAGE_BYTES };
      const page = await this.unitOfWork.read(() => this.documents.findPageWithData(ubid, query));
      yield page.items;
      after = page.next ?? undefined;
      limit = Math.min(EXPORT_PAGE_SIZE, 2 * Math.max(1, page.items.length));
    } while (after !== undefined);
  }

  /** The new routes tell an unknown batch (not found) from a registered one without documents (zeros, an empty page). */
  private async requireTransfer(ubid: string): Promise<void> {
    if (!(await this.transfers.findByUbid(ubid))) throwTransferNotFound(ubid);
  }
}

function throwTransferNotFound(ubid: string): never {
  throw transferNotFound(ubid);
}

/** A batch without documents is, to the original's clients, a batch not found. */
function orNotFound(ubid: string, count: number): number {
  if (count === 0) throw documentsNotFound(ubid);
  return count;
}
