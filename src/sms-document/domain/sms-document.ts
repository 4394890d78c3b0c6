import { DeliveryOutcome } from '../../tracking/gateway-receipt';
import { TrackingState } from '../../tracking/tracking-state';

/** The gateway's id of a document's message, and what the gateway reported became of it (docs/receipts.md). */
export interface SmsDocumentDelivery {
  /** The gateway's short name, lower case; null until an upload or a submission names it. */
  gateway: string | null;
  /** The gateway's id of the message, unique per gateway (case-insensitively); null with `gateway`. */
  messageId: string | null;
  /** The final outcome a receipt reported; null until one did. */
  outcome: DeliveryOutcome | null;
  errorCode: string | null;
  /** When the message reached its outcome, as the gateway said, else when the receipt was recorded. */
  doneAt: Date | null;
}

/** A stored document: one SMS message of a batch with its free-form data. */
export interface SmsDocument extends SmsDocumentDelivery {
  UBID: string;
  uniqueId: string;
  state: TrackingState;
  SMScount: number;
  when: Date;
  data: Record<string, unknown>;
}

/**
 * What a sender uploads for each document; the database fills state and time. The gateway's id of
 * its message is optional (both fields or neither), and may come later with a submission.
 */
export type NewSmsDocument = Pick<SmsDocument, 'uniqueId' | 'SMScount' | 'data'> & { gateway?: string; messageId?: string };

/** A document as an export writes it: the fields it had before the delivery fields, kept so for the readers of exports. */
export type ExportedSmsDocument = Omit<SmsDocument, keyof SmsDocumentDelivery>;

/** A document in a listing: everything but its data, which can be large. */
export type SmsDocumentListItem = Omit<SmsDocument, 'UBID' | 'data'>;

/** `limit` documents of a batch after `after` (exclusive) in uniqueId order, optionally in one state. */
export interface SmsDocumentPageQuery {
  state?: TrackingState;
  limit: number;
  after?: string;
}

/**
 * An export's page: the documents of a page query, but only as many as have at most `maxBytes` of
 * data between them (as JSON text, the database's own bytes), and always at least one.
 */
export interface SmsDocumentExportPageQuery extends SmsDocumentPageQuery {
  maxBytes: number;
}

/** A keyset page of documents in uniqueId order. */
export interface KeysetPage<T> {
  items: T[];
  /** The uniqueId to pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export type SmsDocumentPage = KeysetPage<SmsDocumentListItem>;

/** How many DONE documents of a batch have each outcome, and each error code, of the receipts by message id. */
export interface SmsDocumentOutcomeCounts {
  /** Every outcome, 0 included. */
  outcomes: Record<DeliveryOutcome, number>;
  /** The error codes the documents with an outcome have, each with its count. */
  errorCodes: Record<string, number>;
}

/** How many documents of a batch are in each state, and when the last of them changed. */
export interface SmsDocumentStateCounts {
  counts: Record<TrackingState, number>;
  /** null when the batch has no documents. */
  lastChange: Date | null;
  /** Only when a document of the batch has an outcome: the summary of a batch tracked by uniqueId stays as it was. */
  delivery?: SmsDocumentOutcomeCounts;
}

/** A batch's progress at a glance: `total` = INIT + SENT + DONE; `outcomes` and `errorCodes` once a receipt reported an outcome. */
export interface SmsDocumentsSummary extends Record<TrackingState, number>, Partial<SmsDocumentOutcomeCounts> {
  UBID: string;
  total: number;
  /** null when the batch has no documents. */
  lastChange: Date | null;
}

/** What delivery receipts did: `changed + unchanged + unknown.length` is the number of distinct uniqueIds named. */
export interface ReceiptsResult {
  UBID: string;
  state: TrackingState;
  changed: number;
  unchanged: number;
  /** The uniqueIds the batch has no document for, in the order named. */
  unknown: string[];
}
