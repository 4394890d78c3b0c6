import { TrackingState } from '../tracking/tracking-state';
import { ExpiredTransfersQuery, NewSmsTransfer, SmsTransfer, SmsTransferPage, SmsTransferPageQuery } from './domain/sms-transfer';

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

  /**
   * Moves the transfer to `state`, timed now, if it is behind it; otherwise leaves it as it is.
   * Answers the transfer as it is afterwards; null when the UBID is unknown.
   */
  abstract updateState(ubid: string, state: TrackingState): Promise<SmsTransfer | null>;

  /** Stores the number of documents sent through the fallback channel; null when the UBID is unknown. */
  abstract setFallbackCount(ubid: string, fallbackCount: number): Promise<SmsTransfer | null>;

  /**
   * Stores, as the fallback count, how many of the transfer's documents are not DONE, counted and
   * stored in one statement; null when the UBID is unknown.
   */
  abstract setFallbackCountFromDocuments(ubid: string): Promise<SmsTransfer | null>;

  /** Deletes the transfer and, by the foreign key's cascade, its documents; false when unknown. */
  abstract delete(ubid: string): Promise<boolean>;

  /** The UBIDs of the transfers that neither changed since `query.before`, nor did any of their documents. */
  abstract findExpired(query: ExpiredTransfersQuery): Promise<string[]>;

  /**
   * Whether the transfer has not changed since `before`; it stays locked until the unit of work
   * ends, so that no write to it or to its documents runs meanwhile, and the next statement sees
   * every one that ran before. The purge's first step of each of its writes.
   */
  abstract lockIfExpired(ubid: string, before: Date): Promise<boolean>;

  /**
   * Deletes up to `limit` documents of the transfer that have not changed since `before`, in one
   * statement, so that a purge holds the writer for a bounded time. Returns how many it deleted.
   */
  abstract deleteExpiredDocuments(ubid: string, before: Date, limit: number): Promise<number>;

  /** Deletes the transfer if it has not changed since `before` and has no documents left; false otherwise. */
  abstract deleteIfExpired(ubid: string, before: Date): Promise<boolean>;
}
