import { ApiProperty } from '@nestjs/swagger';

import { EXAMPLE_UBID, EXAMPLE_UNIQUE_ID, TRACKING_STATE_SCHEMA } from '../../tracking/decorators';
import { TrackingState } from '../../tracking/tracking-state';
import { SmsDocument, SmsDocumentListItem, SmsDocumentPage } from '../domain/sms-document';

/** A document in a listing: without its data, so that a page of 5000 stays small. */
export class SmsDocumentListItemDto implements SmsDocumentListItem {
  @ApiProperty({ description: "The document's id within its batch.", example: EXAMPLE_UNIQUE_ID })
  uniqueId: string;

  @ApiProperty({ ...TRACKING_STATE_SCHEMA, description: 'Where the document is in its life cycle.', example: TrackingState.SENT })
  state: TrackingState;

  @ApiProperty({ type: 'integer', description: 'SMS messages this document is sent as.', example: 2 })
  SMScount: number;

  @ApiProperty({
    description: 'When the document was uploaded or last changed state, in UTC.',
    type: String,
    format: 'date-time',
    example: '2024-04-17T09:12:05.000Z',
  })
  when: Date;
}

/** One document with its data. */
export class SmsDocumentDto extends SmsDocumentListItemDto implements SmsDocument {
  @ApiProperty({ description: 'The batch id.', format: 'uuid', example: EXAMPLE_UBID })
  UBID: string;

  @ApiProperty({
    description: 'Free-form data of the message, as uploaded.',
    type: 'object',
    additionalProperties: true,
    example: { phone: '+4917012345678', text: 'Your parcel arrives today' },
  })
  data: Record<string, unknown>;
}

/** One page of a batch's documents, in uniqueId order. */
export class SmsDocumentPageDto implements SmsDocumentPage {
  @ApiProperty({ type: [SmsDocumentListItemDto], description: 'Up to `limit` documents, in uniqueId order.' })
  items: SmsDocumentListItemDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass it as `after` to get the next page; null on the last page.',
    example: '0000001000',
  })
  next: string | null;
}
