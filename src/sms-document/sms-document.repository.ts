import { TrackingState } from '../core/tracking-state';

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

/**
 * The port to the document table; an abstract class so that it is also the Nest injection token.
 * Every method runs inside the caller's `UnitOfWork`.
 */
export abstract class SmsDocumentRepository {
  /**
   * Bulk upsert: inserts the documents of one batch, or resets existing ones to INIT, now, with
   * the new data. `documents` holds each uniqueId once. Throws `IntegrityError` when the UBID is
   * not a stored transfer. Returns how many rows were written.
   * Always exactly one SQL statement, so it may run in `UnitOfWork.runSingleStatement`.
   */
  abstract upsertMany(ubid: string, documents: NewSmsDocument[]): Promise<number>;

  abstract countByUbid(ubid: string): Promise<number>;

  /** Sets the state (and time) of every document of the batch; returns how many rows changed. */
  abstract updateStateByUbid(ubid: string, state: TrackingState): Promise<number>;
}
