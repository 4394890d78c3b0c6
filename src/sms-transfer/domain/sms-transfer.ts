import { TrackingState } from '../../tracking/tracking-state';

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
 * Transfers that have not changed since `before`, nor has any of their documents: in UBID order,
 * after `after` (exclusive), at most `limit`, optionally in one state.
 */
export interface ExpiredTransfersQuery {
  before: Date;
  state?: TrackingState;
  after?: string;
  limit: number;
}

/** What a purge removed. */
export interface PurgeResult {
  transfers: number;
  documents: number;
}
