import { ApiProperty } from '@nestjs/swagger';

import { EXAMPLE_UBID, TRACKING_STATE_SCHEMA } from '../../tracking/decorators';
import { TrackingState } from '../../tracking/tracking-state';
import { SmsTransfer } from '../domain/sms-transfer';

/** A transfer as the API answers it, for the examples of the responses that return one. */
export const EXAMPLE_TRANSFER = {
  UBID: EXAMPLE_UBID,
  fileName: 'batch_2024-04-17_0858.json',
  origName: 'april-campaign.csv',
  fallbackCount: 0,
  when: '2024-04-17T08:58:37.000Z',
  state: TrackingState.INIT,
  documents: 412343,
  SMScount: 824686,
};

/** A stored transfer as the API returns it. */
export class SmsTransferDto implements SmsTransfer {
  @ApiProperty({ description: 'The batch id.', format: 'uuid', example: EXAMPLE_UBID })
  UBID: string;

  @ApiProperty({ description: 'Name of the batch file as stored by the sender.', example: 'batch_2024-04-17_0858.json' })
  fileName: string;

  @ApiProperty({ description: 'Name of the batch file as the customer delivered it.', example: 'april-campaign.csv' })
  origName: string;

  @ApiProperty({ type: 'integer', description: 'Documents sent through the fallback channel.', example: 0 })
  fallbackCount: number;

  @ApiProperty({
    description: 'When the transfer was registered or last changed state, in UTC.',
    type: String,
    format: 'date-time',
    example: '2024-04-17T08:58:37.000Z',
  })
  when: Date;

  @ApiProperty({ ...TRACKING_STATE_SCHEMA, description: 'Where the batch is in its life cycle.', example: TrackingState.INIT })
  state: TrackingState;

  @ApiProperty({ type: 'integer', description: 'Documents the batch will upload.', example: 412343 })
  documents: number;

  @ApiProperty({ description: 'SMS messages in the whole batch.', example: 824686, nullable: true, type: 'integer' })
  SMScount: number | null;
}
