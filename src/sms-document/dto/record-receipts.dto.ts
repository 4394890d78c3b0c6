import { ApiProperty } from '@nestjs/swagger';

import { EXAMPLE_UBID, StateProperty, TRACKING_STATE_SCHEMA, UniqueIdListProperty } from '../../tracking/decorators';
import { TrackingState } from '../../tracking/tracking-state';
import { MAX_DOCUMENTS_PER_REQUEST } from './upsert-sms-documents.dto';

/** `POST /tracking/sms_documents/{ubid}/receipts`: delivery receipts for up to 5000 documents. */
export class RecordReceiptsDto {
  @StateProperty({ description: 'The state the named documents have reached.' })
  state: TrackingState;

  @UniqueIdListProperty({
    description: `1 to ${MAX_DOCUMENTS_PER_REQUEST} uniqueIds of the batch's documents; one named twice counts once.`,
    maxItems: MAX_DOCUMENTS_PER_REQUEST,
  })
  uniqueIds: string[];
}

/** What the receipts did. `changed + unchanged + unknown.length` is the number of distinct uniqueIds sent. */
export class ReceiptsResultDto {
  @ApiProperty({ description: 'The batch id.', format: 'uuid', example: EXAMPLE_UBID })
  UBID: string;

  @ApiProperty({ ...TRACKING_STATE_SCHEMA, description: 'The state the documents were moved to.', example: TrackingState.SENT })
  state: TrackingState;

  @ApiProperty({ type: 'integer', description: 'Documents moved to the state now (their `when` is now).', example: 4998 })
  changed: number;

  @ApiProperty({ type: 'integer', description: 'Documents that were in the state already: left as they were.', example: 1 })
  unchanged: number;

  @ApiProperty({
    description: 'The uniqueIds the batch has no document for, in the order sent; nothing was done for them.',
    type: 'array',
    items: { type: 'string' },
    example: ['0000009999'],
  })
  unknown: string[];
}
