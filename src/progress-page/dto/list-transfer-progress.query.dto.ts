import { OmitType } from '@nestjs/swagger';

import { IntegerQueryProperty } from '../../core/validation/decorators';
import { ListSmsTransfersQueryDto } from '../../sms-transfer/dto/list-sms-transfers.query.dto';

/** Each transfer of a page costs a summary when the cache has none: far fewer per page than the plain listing allows. */
export const MAX_PROGRESS_PAGE_SIZE = 100;

/** `GET /tracking/progress/transfers?limit=&offset=&state=`: the transfer listing's query with a smaller page. */
export class ListTransferProgressQueryDto extends OmitType(ListSmsTransfersQueryDto, ['limit'] as const) {
  @IntegerQueryProperty({ description: 'Transfers per page.', minimum: 1, maximum: MAX_PROGRESS_PAGE_SIZE, default: 10, example: 10 })
  limit: number = 10;
}
