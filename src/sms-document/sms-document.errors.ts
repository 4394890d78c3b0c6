import { DomainError } from '../core/errors/domain-error';
import { backwardsMove } from '../tracking/backwards-move';
import { TrackingState } from '../tracking/tracking-state';

/** The original's table name, part of every text its clients match on. */
export const DOCUMENTS_TABLE = 'tracking.sms_documents';

/** The original's 404 for a batch without documents (count and state of the whole batch). */
export function documentsNotFound(ubid: string): DomainError {
  return new DomainError('not-found', `UBID '${ubid}' not found in table ${DOCUMENTS_TABLE}`);
}

/** One document the batch does not have. */
export function documentNotFound(ubid: string, uniqueId: string): DomainError {
  return new DomainError('not-found', `Document '${uniqueId}' of UBID '${ubid}' not found in table ${DOCUMENTS_TABLE}`);
}

/** The database refused the upload (an unknown UBID: the foreign key); `reason` is the engine's own words. */
export function documentsRefused(ubid: string, reason: string): DomainError {
  return new DomainError('refused', `Failed Upsert of UBID '${ubid}' document(s) in table ${DOCUMENTS_TABLE} => ${reason}`);
}

/** A receipt would move a document back. */
export function documentMovingBackwards(ubid: string, uniqueId: string, current: TrackingState, requested: TrackingState): DomainError {
  return backwardsMove(`document '${uniqueId}' of UBID '${ubid}'`, current, requested, DOCUMENTS_TABLE);
}

/** An export beyond MAX_CONCURRENT_EXPORTS, refused before anything is read or sent. */
export function tooManyExports(limit: number): DomainError {
  return new DomainError(
    'unavailable',
    `The service is busy: ${limit} export(s) are running, as many as MAX_CONCURRENT_EXPORTS allows. Retry later.`,
  );
}
