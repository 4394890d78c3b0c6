import { DomainError } from '../core/errors/domain-error';
import { TrackingState } from './tracking-state';

/**
 * A state route asked to move a transfer or document backwards (a 409): states only move forward
 * (INIT → SENT → DONE), so a late or repeated receipt cannot undo a delivery. Re-sending through
 * the upsert is the way back to INIT.
 */
export function backwardsMove(subject: string, current: TrackingState, requested: TrackingState, table: string): DomainError {
  return new DomainError('conflict', `Cannot move ${subject} from '${current}' back to '${requested}' in table ${table}`);
}
