import { TrackingState } from '../core/tracking-state';
import type { DocumentBatch } from './document-batch';

/** A stored document: one SMS message of a batch with its free-form data. */
export interface SmsDocument {
  UBID: string;
  uniqueId: string;
  state: TrackingState;
  SMScount: number;
  when: Date;
  data: Record<string, unknown>;
}

/** What a sender uploads for each document; the database fills state and time. */
export type NewSmsDocument = Pick<SmsDocument, 'uniqueId' | 'SMScount' | 'data'>;

/** A document in a listing: everything but its data, which can be large. */
export type SmsDocumentListItem = Omit<SmsDocument, 'UBID' | 'data'>;

/** `limit` documents of a batch after `after` (exclusive) in uniqueId order, optionally in one state. */
export interface SmsDocumentPageQuery {
  state?: TrackingState;
  limit: number;
  after?: string;
}

export interface SmsDocumentPage {
  items: SmsDocumentListItem[];
  /** The uniqueId to pass as `after` for the next page; null on the last page. */
  next: string | null;
}

/** How many documents of a batch are in each state, and when the last of them changed. */
export interface SmsDocumentStateCounts {
  counts: Record<TrackingState, number>;
  /** null when the batch has no documents. */
  lastChange: Date | null;
}

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

  /**
   * Moves the documents of the batch that are behind `state` to it, timed now; the others are
   * left as they are. Returns how many rows moved.
   */
  abstract updateStateByUbid(ubid: string, state: TrackingState): Promise<number>;

  /** Answered from the (UBID, state, uniqueId, when) index alone. */
  abstract countStates(ubid: string): Promise<SmsDocumentStateCounts>;

  /** Keyset pagination: a seek, then `limit` rows, however deep the page. */
  abstract findPage(ubid: string, query: SmsDocumentPageQuery): Promise<SmsDocumentPage>;

  abstract findOne(ubid: string, uniqueId: string): Promise<SmsDocument | null>;

  /** The current state of each of the named documents that exist; unknown uniqueIds are absent. */
  abstract findStates(ubid: string, uniqueIds: string[]): Promise<Map<string, TrackingState>>;

  /**
   * Moves the named documents that are behind `state` to it, timed now, in one statement;
   * the others are left as they are. Returns how many rows moved.
   */
  abstract updateStates(ubid: string, uniqueIds: string[], state: TrackingState): Promise<number>;
}
