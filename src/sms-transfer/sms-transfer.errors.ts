import { ConflictException, NotFoundException, UnprocessableEntityException } from '@nestjs/common';

import { backwardsMove } from '../tracking/backwards-move';
import { TrackingState } from '../tracking/tracking-state';

const TABLE = 'tracking.sms_transfers';

/** The original's 404 text for transfers, which its clients match on. */
export function transferNotFound(ubid: string): NotFoundException {
  return new NotFoundException({ detail: `UBID '${ubid}' is not found in table ${TABLE}` });
}

/** The database refused a transfer's values: worded like the documents' refusal. */
export function transferRefused(ubid: string, reason: string): UnprocessableEntityException {
  return new UnprocessableEntityException({ detail: `Failed Upsert of UBID '${ubid}' in table ${TABLE} => ${reason}` });
}

/** The transfer is further along than the state asked for. */
export function transferMovingBackwards(ubid: string, current: TrackingState, requested: TrackingState): ConflictException {
  return backwardsMove(`UBID '${ubid}'`, current, requested, TABLE);
}
