import { DomainError } from '../core/errors/domain-error';
import { backwardsMove } from '../tracking/backwards-move';
import { TrackingState } from '../tracking/tracking-state';

const TABLE = 'tracking.sms_transfers';

/** The original's 404 text for transfers, which its clients match on. */
export function transferNotFound(ubid: string): DomainError {
  return new DomainError('not-found', `UBID '${ubid}' is not found in table ${TABLE}`);
}

/** The database refused a transfer's values (a 422): worded like the documents' refusal. */
export function transferRefused(ubid: string, reason: string): DomainError {
  return new DomainError('refused', `Failed Upsert of UBID '${ubid}' in table ${TABLE} => ${reason}`);
}

/** The transfer is further along than the state asked for. */
export function transferMovingBackwards(ubid: string, current: TrackingState, requested: TrackingState): DomainError {
  return backwardsMove(`UBID '${ubid}'`, current, requested, TABLE);
}
