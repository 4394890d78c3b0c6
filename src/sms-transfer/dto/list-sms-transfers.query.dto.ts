import { IntegerQueryProperty } from '../../core/validation/decorators';
import { StateProperty } from '../../tracking/decorators';
import { TrackingState } from '../../tracking/tracking-state';

export const MAX_PAGE_SIZE = 1000;

/** `GET /tracking/sms_transfers/?limit=&offset=&state=` */
export class ListSmsTransfersQueryDto {
  @IntegerQueryProperty({ description: 'Transfers per page.', minimum: 1, maximum: MAX_PAGE_SIZE, default: 100, example: 100 })
  limit: number = 100;

  @IntegerQueryProperty({ description: 'Transfers to skip, newest first.', minimum: 0, default: 0, example: 0 })
  offset: number = 0;

  @StateProperty({ description: 'Only transfers in this state.', required: false })
  state?: TrackingState;
}
