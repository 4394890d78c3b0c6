import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsNotEmpty, IsString, MaxLength } from 'class-validator';

import { TextProperty } from '../../core/validation/decorators';

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
