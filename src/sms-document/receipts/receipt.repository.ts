import { GatewayReceipt } from '../../tracking/gateway-receipt';
import { Delivery, MessageName } from './delivery';

/** A document a gateway's message id names, with what receipts may change of it. */
export interface TrackedMessage extends MessageName, Delivery {
  UBID: string;
  uniqueId: string;
}

/** A document's delivery as receipts leave it. */
export interface DeliveryChange extends Delivery {
  UBID: string;
  uniqueId: string;
}

/** A document of a batch and the gateway's id of its message, as a submission names them. */
export interface Submission {
  uniqueId: string;
  messageId: string;
}

/**
 * The port to the message ids, outcomes and pending receipts; an abstract class so that it is also
 * the Nest injection token. Every method runs inside the caller's `UnitOfWork`.
 */
export abstract class ReceiptRepository {
  /**
   * Holds the named message ids until the unit of work ends, so that a receipt and a submission of
   * one id take turns: a receipt then either finds the document or is kept pending where the
   * submission finds it. The first locks of a unit of work that takes them (docs/database.md).
   */
  abstract lockMessageIds(names: MessageName[]): Promise<void>;

  /** The documents holding these ids, unlocked: under lockMessageIds, which document holds an id does not change. */
  abstract findByMessageIds(names: MessageName[]): Promise<TrackedMessage[]>;

  /**
   * The documents holding these ids, locked until the unit of work ends, in the order every write
   * takes locks: their batches' locks shared, in UBID order, their transfers, then the documents in
   * (UBID, uniqueId) order.
   */
  abstract lockByMessageIds(names: MessageName[]): Promise<TrackedMessage[]>;

  /** Stores each document's new delivery, timed now, in one statement. For documents locked by lockByMessageIds. */
  abstract writeDeliveries(changes: DeliveryChange[]): Promise<void>;

  /**
   * Gives the named documents of the batch their message ids and moves the INIT ones to SENT, timed
   * now, in one statement; answers how many changed. For documents locked by `lockStates`.
   */
  abstract submit(ubid: string, gateway: string, submissions: Submission[]): Promise<number>;

  abstract countPending(): Promise<number>;

  /** Keeps receipts no document holds the id of yet, received now. */
  abstract addPending(receipts: GatewayReceipt[]): Promise<void>;

  /** Removes and answers the pending receipts of these ids, in the order they were received. */
  abstract takePending(names: MessageName[]): Promise<GatewayReceipt[]>;

  /** Drops the pending receipts received before `time`; answers how many. */
  abstract deletePendingReceivedBefore(time: Date): Promise<number>;
}
