import { TrackingState } from '../core/tracking-state';

/** A stored transfer (one SMS batch). */
export interface SmsTransfer {
  UBID: string;
  fileName: string;
  origName: string;
  fallbackCount: number;
  when: Date;
  state: TrackingState;
  documents: number;
  SMScount: number | null;
}

/** What a sender registers; the database fills the rest. */
export type NewSmsTransfer = Pick<SmsTransfer, 'UBID' | 'fileName' | 'origName' | 'documents'> & { SMScount: number };

export interface SmsTransferPageQuery {
  limit: number;
  offset: number;
  state?: TrackingState;
}

export interface SmsTransferPage {
  items: SmsTransfer[];
  /** All transfers matching the filter, not only this page. */
  total: number;
}

/**
 * The port to the transfer table. An abstract class rather than an interface so that it is also
 * the Nest injection token: tests write `{ provide: SmsTransferRepository, useValue: mock }`.
 * Every method runs inside the caller's `UnitOfWork`.
 */
export abstract class SmsTransferRepository {
  /**
   * Inserts, or replaces an existing UBID's fields and resets its state, fallback count and time.
   * Throws `IntegrityError` when the database refuses a value.
   */
  abstract upsert(transfer: NewSmsTransfer): Promise<SmsTransfer>;

  abstract findByUbid(ubid: string): Promise<SmsTransfer | null>;

  /** Newest first. */
  abstract findPage(query: SmsTransferPageQuery): Promise<SmsTransferPage>;

  /** Sets the state and the time; null when the UBID is unknown. */
  abstract updateState(ubid: string, state: TrackingState): Promise<SmsTransfer | null>;

  /** Deletes the transfer and, by the foreign key's cascade, its documents; false when unknown. */
  abstract delete(ubid: string): Promise<boolean>;
}
