import { ApiProperty } from '@nestjs/swagger';

import { NestedListProperty } from '../../../core/validation/decorators';
import { EXAMPLE_MESSAGE_ID, EXAMPLE_UBID, GatewayNameProperty, MessageIdProperty, UniqueIdProperty } from '../../../tracking/decorators';
import { SubmissionsResult } from '../receipts.service';

/** Message ids per request: the uploads' sub-batch size. */
export const MAX_SUBMISSIONS_PER_REQUEST = 5000;

export class SubmissionDto {
  @UniqueIdProperty({ description: 'The document, within the batch of the path.' })
  uniqueId: string;

  @MessageIdProperty({ description: "The gateway's id of the document's message." })
  messageId: string;
}

/** `POST /tracking/sms_documents/{ubid}/submissions`: the gateway's ids of messages handed to it. */
export class SubmitMessagesDto {
  @GatewayNameProperty({ description: 'The gateway the messages were handed to.' })
  gateway: string;

  @NestedListProperty(() => SubmissionDto, {
    description: `1 to ${MAX_SUBMISSIONS_PER_REQUEST} documents and their message ids. A uniqueId named twice keeps the id of its last occurrence.`,
    maxItems: MAX_SUBMISSIONS_PER_REQUEST,
  })
  messages: SubmissionDto[];
}

const count = (description: string, example: number) => ApiProperty({ type: 'integer', description, example });

export class SubmissionsResultDto implements SubmissionsResult {
  @ApiProperty({ description: 'The batch id.', format: 'uuid', example: EXAMPLE_UBID })
  UBID: string;

  @ApiProperty({ description: 'The gateway of the request.', example: 'jasmin' })
  gateway: string;

  @count('Documents that got their message id or moved from INIT to SENT now.', 2)
  changed: number;

  @count('Documents that had this message id and were SENT or DONE already.', 0)
  unchanged: number;

  @ApiProperty({
    type: [String],
    description: 'The uniqueIds the batch has no document for, in the order sent; their ids were not stored.',
    example: ['0000000009'],
  })
  unknown: string[];

  @count("Receipts that had arrived before their message id and were applied now, in this request's transaction.", 1)
  receiptsApplied: number;
}

export const SUBMISSIONS_EXAMPLE = { gateway: 'jasmin', messages: [{ uniqueId: '0000000001', messageId: EXAMPLE_MESSAGE_ID }] };
