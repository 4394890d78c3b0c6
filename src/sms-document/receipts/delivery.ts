import { DeliveryOutcome, GatewayReceipt, isFinal } from '../../tracking/gateway-receipt';
import { TrackingState } from '../../tracking/tracking-state';
import { messageIdNamedTwice } from './receipts.errors';

/** What receipts change of a document: its state and what became of its message. */
export interface Delivery {
  state: TrackingState;
  outcome: DeliveryOutcome | null;
  errorCode: string | null;
  doneAt: Date | null;
}

/** A gateway's name of one message: the gateway and its id of the message. */
export interface MessageName {
  gateway: string;
  messageId: string;
}

/** A document of a batch and the gateway's name of its message, as a submission or an upload gives it. */
export interface NamedMessage extends MessageName {
  uniqueId: string;
}

/**
 * The key a message id is compared by: ids compare case-insensitively. Message ids are printable
 * ASCII (the DTOs check it), where JavaScript's and both engines' lower() agree.
 */
export function messageKey({ gateway, messageId }: MessageName): string {
  return `${gateway} ${messageId.toLowerCase()}`;
}

/** Which document (uniqueId) each message id is named for, by messageKey; one id named for two documents is refused. */
export function documentPerMessage(named: NamedMessage[]): Map<string, string> {
  const namedFor = new Map<string, string>();
  for (const { uniqueId, gateway, messageId } of named) {
    const key = messageKey({ gateway, messageId });
    const other = namedFor.get(key);
    if (other !== undefined) throw messageIdNamedTwice(gateway, messageId, [other, uniqueId]);
    namedFor.set(key, uniqueId);
  }
  return namedFor;
}

/**
 * What one receipt makes of a document, or null when it changes nothing. Forward only, so that any
 * order of the same reports of a message ends the same:
 * - a final outcome moves the document to DONE with it, timed by the receipt (else `now`); the
 *   first outcome stays: a later one, a duplicate included, changes nothing. A document moved to
 *   DONE by the state routes, without an outcome, gets the receipt's;
 * - an intermediate report moves an INIT document to SENT, and a document further along nowhere.
 */
export function applyReceipt(
  current: Delivery,
  receipt: Pick<GatewayReceipt, 'status' | 'errorCode' | 'doneAt'>,
  now: Date,
): Delivery | null {
  if (isFinal(receipt.status)) {
    if (current.outcome !== null) return null;
    return { state: TrackingState.DONE, outcome: receipt.status, errorCode: receipt.errorCode, doneAt: receipt.doneAt ?? now };
  }
  return current.state === TrackingState.INIT ? { ...current, state: TrackingState.SENT } : null;
}
