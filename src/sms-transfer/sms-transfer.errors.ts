import { NotFoundException, UnprocessableEntityException } from '@nestjs/common';

const TABLE = 'tracking.sms_transfers';

/** The original's 404 text for transfers, which its clients match on. */
export function transferNotFound(ubid: string): NotFoundException {
  return new NotFoundException({ detail: `UBID '${ubid}' is not found in table ${TABLE}` });
}

/** The database refused a transfer's values: worded like the documents' refusal. */
export function transferRefused(ubid: string, reason: string): UnprocessableEntityException {
  return new UnprocessableEntityException({ detail: `Failed Upsert of UBID '${ubid}' in table ${TABLE} => ${reason}` });
}
