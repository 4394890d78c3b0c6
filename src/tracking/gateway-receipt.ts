/**
 * What an SMS gateway reports of one message, in the service's terms, whichever gateway sent it
 * and however (Jasmin's and Kannel's DLR URLs, Twilio's status callbacks, `POST /tracking/receipts`).
 */

/** A final outcome: the document moves to DONE with it, and it is never replaced. */
export enum DeliveryOutcome {
  DELIVERED = 'delivered',
  FAILED = 'failed',
  EXPIRED = 'expired',
  REJECTED = 'rejected',
  UNKNOWN = 'unknown',
}

/** An intermediate report: the message is on its way; the document moves to SENT, no further. */
export enum IntermediateStatus {
  ACCEPTED = 'accepted',
  ENROUTE = 'enroute',
  BUFFERED = 'buffered',
  QUEUED = 'queued',
  SENT = 'sent',
}

export type ReceiptStatus = DeliveryOutcome | IntermediateStatus;

export const RECEIPT_STATUSES: readonly ReceiptStatus[] = [...Object.values(DeliveryOutcome), ...Object.values(IntermediateStatus)];

export function isFinal(status: ReceiptStatus): status is DeliveryOutcome {
  return (Object.values(DeliveryOutcome) as string[]).includes(status);
}

/** One report of one message. */
export interface GatewayReceipt {
  /** The gateway's short name, lower case (`jasmin`, `kannel`, `twilio`, or a bridge's own). */
  gateway: string;
  /** The gateway's id of the message (1–64 characters); ids compare case-insensitively. */
  messageId: string;
  status: ReceiptStatus;
  /** The gateway's error code, as it gave it, or null. */
  errorCode: string | null;
  /** When the gateway says the message reached its outcome, or null (then: when it was recorded). */
  doneAt: Date | null;
}

/**
 * What became of one receipt: `applied` (the document changed), `unchanged` (a duplicate, a late
 * intermediate report, or a final outcome already there), `pending` (no document has that id yet:
 * kept, and applied when a submission or upload names it).
 */
export type ReceiptResult = 'applied' | 'unchanged' | 'pending';

/**
 * Records receipts, each acknowledged only once committed. The port the gateways' callbacks and
 * `POST /tracking/receipts` talk to (an abstract class, so that it is also the DI token).
 */
export abstract class ReceiptRecorder {
  /** The result of each receipt, in the order given; resolves once all of them are committed. */
  abstract record(receipts: GatewayReceipt[]): Promise<ReceiptResult[]>;
}
