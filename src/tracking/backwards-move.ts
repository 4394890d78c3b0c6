import { ConflictException } from '@nestjs/common';

import { TrackingState } from './tracking-state';

/**
 * 409 for a state route asked to move a transfer or document backwards: states only move
 * forward (INIT → SENT → DONE), so a late or repeated receipt cannot undo a delivery. Re-sending
 * through the upsert is the way back to INIT.
 */
export function backwardsMove(subject: string, current: TrackingState, requested: TrackingState, table: string): ConflictException {
  return new ConflictException({ detail: `Cannot move ${subject} from '${current}' back to '${requested}' in table ${table}` });
}
