import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsEnum, IsNotEmpty, IsString, IsUUID, Matches, MaxLength } from 'class-validator';

import { optional, TextProperty } from '../core/validation/decorators';
import { TrackingState } from './tracking-state';

/*
 * The composite decorators of the fields both features share: a batch's UBID, a tracking state
 * and a document's uniqueId, each validated and documented in one place.
 */

export const EXAMPLE_UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

/** The state enum as one named OpenAPI schema, referenced by every property and parameter. */
export const TRACKING_STATE_SCHEMA = {
  enum: TrackingState,
  enumName: 'TrackingState',
  enumSchema: { description: 'Where a transfer or a document is in its life cycle: INIT, then SENT, then DONE.' },
} as const;

/** A batch id: validated as a UUID and documented as `format: uuid`, in one place. */
export function UbidProperty(options: Pick<ApiPropertyOptions, 'description'> = {}): PropertyDecorator {
  return applyDecorators(
    IsUUID(),
    ApiProperty({
      description: 'The batch id (Unique Batch ID), a UUID.',
      format: 'uuid',
      example: EXAMPLE_UBID,
      ...options,
    }),
  );
}

/** A tracking state: validated against the enum and documented as the one `TrackingState` schema. */
export function StateProperty({ description, required = true }: { description: string; required?: boolean }): PropertyDecorator {
  return applyDecorators(
    ...optional(required),
    IsEnum(TrackingState),
    ApiProperty({ ...TRACKING_STATE_SCHEMA, description, example: TrackingState.SENT, required }),
  );
}

/** A uniqueId is any text of 1 to 10 characters, so routes only ever put it after a fixed word. */
export const MAX_UNIQUE_ID_LENGTH = 10;
export const EXAMPLE_UNIQUE_ID = '0000000001';

/** A document's id within its batch, validated and documented in one place. */
export function UniqueIdProperty({ description, required = true }: { description: string; required?: boolean }): PropertyDecorator {
  return TextProperty({ description, maxLength: MAX_UNIQUE_ID_LENGTH, example: EXAMPLE_UNIQUE_ID, required });
}

/** A list of 1 to `maxItems` uniqueIds, each checked as UniqueIdProperty checks one. */
export function UniqueIdListProperty({ description, maxItems }: { description: string; maxItems: number }): PropertyDecorator {
  return applyDecorators(
    ApiProperty({
      description,
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: MAX_UNIQUE_ID_LENGTH },
      minItems: 1,
      maxItems,
      example: [EXAMPLE_UNIQUE_ID, '0000000002'],
    }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(maxItems),
    IsString({ each: true }),
    IsNotEmpty({ each: true }),
    MaxLength(MAX_UNIQUE_ID_LENGTH, { each: true }),
  );
}

/** A gateway's short name: lower-case letters, digits, `-` and `_`, 1 to 16 of them (`jasmin`, `kannel`, `twilio`). */
export const GATEWAY_NAME = /^[a-z0-9_-]{1,16}$/;
export const MAX_GATEWAY_NAME_LENGTH = 16;
/** A gateway's id of a message: 1 to 64 printable ASCII characters (UUIDs, hex ids, Twilio's SIDs), compared case-insensitively. */
export const MESSAGE_ID = /^[\x21-\x7e]{1,64}$/;
export const MAX_MESSAGE_ID_LENGTH = 64;
export const EXAMPLE_MESSAGE_ID = '16fd2706-8baf-433b-82eb-8c7fada847da';

/** The gateway a message went through, validated and documented in one place. */
export function GatewayNameProperty({ description, required = true }: { description: string; required?: boolean }): PropertyDecorator {
  return applyDecorators(
    ...optional(required),
    ApiProperty({
      description,
      pattern: GATEWAY_NAME.source,
      minLength: 1,
      maxLength: MAX_GATEWAY_NAME_LENGTH,
      example: 'jasmin',
      required,
    }),
    IsString(),
    Matches(GATEWAY_NAME, { message: '$property must be 1 to 16 lower-case letters, digits, "-" or "_"' }),
  );
}

/** A gateway's id of a message, validated and documented in one place. */
export function MessageIdProperty({ description, required = true }: { description: string; required?: boolean }): PropertyDecorator {
  return applyDecorators(
    ...optional(required),
    ApiProperty({
      description,
      pattern: MESSAGE_ID.source,
      minLength: 1,
      maxLength: MAX_MESSAGE_ID_LENGTH,
      example: EXAMPLE_MESSAGE_ID,
      required,
    }),
    IsString(),
    Matches(MESSAGE_ID, { message: '$property must be 1 to 64 printable ASCII characters, without spaces' }),
  );
}
