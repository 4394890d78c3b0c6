import { ApiProperty } from '@nestjs/swagger';

import { EXAMPLE_UBID, EXAMPLE_UNIQUE_ID, TRACKING_STATE_SCHEMA } from '../../tracking/decorators';
import { DeliveryOutcome } from '../../tracking/gateway-receipt';
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

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The gateway's short name, lower case; null until an upload or a submission names it.",
    example: 'jasmin',
  })
  gateway: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: "The gateway's id of the message, unique per gateway (compared case-insensitively); null with `gateway`.",
    example: '16fd2706-8baf-433b-82eb-8c7fada847da',
  })
  messageId: string | null;

  @ApiProperty({
    // Inline, null among the values: OpenAPI 3.0 has no nullable reference, and a nullable enum must list null.
    type: String,
    enum: [...Object.values(DeliveryOutcome), null],
    nullable: true,
    description: 'The final outcome a receipt reported (the document is then DONE); null until one did.',
    example: DeliveryOutcome.DELIVERED,
  })
  outcome: DeliveryOutcome | null;

  @ApiProperty({ type: String, nullable: true, description: "The gateway's error code with the outcome, as it gave it.", example: '000' })
  errorCode: string | null;

  @ApiProperty({
    description: 'When the message reached its outcome, as the gateway said, else when the receipt was recorded, in UTC.',
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2024-04-17T09:12:07.000Z',
  })
  doneAt: Date | null;
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
