import { NotFoundException } from '@nestjs/common';

/** The original's 404 text for transfers, which its clients match on. */
export function transferNotFound(ubid: string): NotFoundException {
  return new NotFoundException({ detail: `UBID '${ubid}' is not found in table tracking.sms_transfers` });
}
