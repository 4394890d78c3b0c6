import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsObject } from 'class-validator';

import { CountProperty, NestedListProperty } from '../../core/validation/decorators';
import { MaxJsonBytes } from '../../core/validation/max-json-bytes';
import { MaxJsonDepth } from '../../core/validation/max-json-depth';
import { GatewayNameProperty, MessageIdProperty, UbidProperty, UniqueIdProperty } from '../../tracking/decorators';

/** Documents per request: the original's sub-batch size, a few MiB of JSON. */
export const MAX_DOCUMENTS_PER_REQUEST = 5000;
/** Levels of nesting allowed in a document's data: plenty for real message data, far below the databases' limits. */
export const MAX_DATA_DEPTH = 64;
/**
 * A document's data as JSON, in UTF-8 bytes: the longest concatenated SMS (255 parts, ~39,000
 * characters) fits with room for metadata, while one document cannot take a whole upload's 16 MiB.
 */
export const MAX_DATA_BYTES = 64 * 1024;

/** A document's free-form data: any JSON object within the depth and size limits. */
function DocumentDataProperty(): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      description: `Free-form data of the message, stored and returned as sent: nested objects included, up to ${MAX_DATA_DEPTH} levels deep and ${MAX_DATA_BYTES} bytes as JSON.`,
      type: 'object',
      additionalProperties: true,
      example: { phone: '+4917012345678', text: 'Your parcel arrives today', meta: { campaign: 'april', priority: 1 } },
    }),
    IsObject(),
    MaxJsonDepth(MAX_DATA_DEPTH),
    MaxJsonBytes(MAX_DATA_BYTES),
  );
}

export class SmsDocumentInputDto {
  @CountProperty({ description: 'SMS messages this document is sent as (long texts take several).', example: 2 })
  SMScount: number;

  @UniqueIdProperty({ description: "The document's id within its batch." })
  uniqueId: string;

  @DocumentDataProperty()
  data: Record<string, unknown>;

  @GatewayNameProperty({ description: 'The gateway the message was handed to; given with `messageId`, or neither.', required: false })
  gateway?: string;

  @MessageIdProperty({
    description:
      "The gateway's id of the message, unique per gateway (compared case-insensitively); given with `gateway`, or neither. A document uploaded again gets the ids its new upload names, none when it names none.",
    required: false,
  })
  messageId?: string;
}

/** `POST /tracking/sms_documents/`: one sub-batch of a transfer's documents. */
export class UpsertSmsDocumentsDto {
  @UbidProperty({ description: 'The transfer these documents belong to; it must exist.' })
  UBID: string;

  @NestedListProperty(() => SmsDocumentInputDto, {
    description: `1 to ${MAX_DOCUMENTS_PER_REQUEST} documents. A uniqueId that appears twice is stored once, with the values of its last occurrence.`,
    maxItems: MAX_DOCUMENTS_PER_REQUEST,
  })
  documents: SmsDocumentInputDto[];
}
