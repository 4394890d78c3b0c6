import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** A uniqueId is any text of 1 to 10 characters, so routes only ever put it after a fixed word. */
export const MAX_UNIQUE_ID_LENGTH = 10;
export const EXAMPLE_UNIQUE_ID = '0000000001';

/**
 * A document's id within its batch, validated and documented in one place. class-validator
 * reports the first rule that fails in the order they are registered: the type check first.
 */
export function UniqueIdProperty({ description, required = true }: { description: string; required?: boolean }): PropertyDecorator {
  return applyDecorators(
    IsString(),
    IsNotEmpty(),
    MaxLength(MAX_UNIQUE_ID_LENGTH),
    ApiProperty({ description, minLength: 1, maxLength: MAX_UNIQUE_ID_LENGTH, example: EXAMPLE_UNIQUE_ID, required }),
  );
}
