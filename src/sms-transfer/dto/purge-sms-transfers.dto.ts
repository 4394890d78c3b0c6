import { ApiProperty } from '@nestjs/swagger';

import { TimeQueryProperty } from '../../core/validation/decorators';
import { StateProperty } from '../../tracking/decorators';
import { TrackingState } from '../../tracking/tracking-state';
import { PurgeResult } from '../domain/sms-transfer';

/** `DELETE /tracking/sms_transfers/?before=&state=` */
export class PurgeSmsTransfersQueryDto {
  @TimeQueryProperty({
    description:
      'Remove the transfers that have not changed since this time, nor has any of their documents. ISO 8601, such as `2024-03-01T00:00:00Z`, or a date (midnight UTC); a time in the future means now.',
    example: '2024-03-01T00:00:00Z',
  })
  before: string;

  @StateProperty({ description: 'Only transfers in this state.', required: false })
  state?: TrackingState;
}

/** What a purge removed. */
export class PurgeResultDto implements PurgeResult {
  @ApiProperty({ type: 'integer', description: 'Transfers removed.', example: 12 })
  transfers: number;

  @ApiProperty({ type: 'integer', description: 'Documents removed with them.', example: 1843211 })
  documents: number;
}
