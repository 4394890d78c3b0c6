import { TrackingState } from '../tracking/tracking-state';
import { DocumentBatch } from './domain/document-batch';
import {
  ExportedSmsDocument,
  KeysetPage,
  SmsDocument,
  SmsDocumentExportPageQuery,
  SmsDocumentPage,
  SmsDocumentPageQuery,
  SmsDocumentStateCounts,
} from './domain/sms-document';

/**
 * The port to the document table; an abstract class so that it is also the Nest injection token.
 * Every method runs inside the caller's `UnitOfWork`.
 */
export abstract class SmsDocumentRepository {
  /**
   * Bulk upsert: inserts the documents of one upload, or resets existing ones to INIT, now, with
   * the new data. The batch holds each uniqueId once. Throws `IntegrityError` when the UBID is
   * not a stored transfer. Returns how many rows were written.
   * Always exactly one SQL statement, so it may run in `UnitOfWork.writeSingleStatement`.
   */
  abstract upsertMany(batch: DocumentBatch): Promise<number>;

  abstract countByUbid(ubid: string): Promise<number>;

  /** Whether the batch has a document at all: one probe, where counting would read the whole batch. */
  abstract hasDocuments(ubid: string): Promise<boolean>;

  /**
   * Moves the documents of the batch that are behind `state` to it, timed now; the others are
   * left as they are. Returns how many rows moved. Its locks are taken in the order every write
   * takes them (docs/database.md#lock-order).
   */
  abstract updateStateByUbid(ubid: string, state: TrackingState): Promise<number>;

  /**
   * Answered from the (UBID, state, uniqueId, when) index alone; when the batch has DONE documents,
   * their outcomes are counted too, which reads those rows.
   */
  abstract countStates(ubid: string): Promise<SmsDocumentStateCounts>;

  /** Keyset pagination: a seek, then `limit` rows, however deep the page. */
  abstract findPage(ubid: string, query: SmsDocumentPageQuery): Promise<SmsDocumentPage>;

  /**
   * The same keyset page, each document with its UBID and data, bounded by the bytes of its data as
   * well (`maxBytes`, at least one document): the export's pages, whose memory a batch of big
   * documents would otherwise multiply. The data of the documents beyond the bound is not read.
   */
  abstract findPageWithData(ubid: string, query: SmsDocumentExportPageQuery): Promise<KeysetPage<ExportedSmsDocument>>;

  abstract findOne(ubid: string, uniqueId: string): Promise<SmsDocument | null>;

  /**
   * The current state of each of the named documents that exist; unknown uniqueIds are absent.
   * The documents found are locked until the unit of work ends (where the engine runs writes side
   * by side), in the order every write takes them, so that their states stay as answered and a
   * write may then change exactly them.
   */
  abstract lockStates(ubid: string, uniqueIds: string[]): Promise<Map<string, TrackingState>>;

  /**
   * Moves the named documents that are behind `state` to it, timed now, in one statement;
   * the others are left as they are. Returns how many rows moved. Meant for documents the unit of
   * work has locked (`lockStates`).
   */
  abstract updateStates(ubid: string, uniqueIds: string[], state: TrackingState): Promise<number>;
}
