import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsEnum, IsInt, IsUUID, Max, Min } from 'class-validator';
import { TrackingState } from '../tracking-state';

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
    IsEnum(TrackingState),
    ApiProperty({ ...TRACKING_STATE_SCHEMA, description, example: TrackingState.SENT, required }),
  );
}

/** The largest value of an INTEGER column on PostgreSQL (32 bits); SQLite's are wider. */
export const MAX_INTEGER = 2_147_483_647;

/**
 * A count (SMS, documents): a whole number from 1 to MAX_INTEGER, so that every engine can store
 * it. class-validator checks rules in the order they are registered and reports the first that
 * fails, so the type check comes first: "must be an integer number" before any range message.
 */
export function CountProperty(options: { description: string; example: number }): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_INTEGER, ...options }),
    IsInt(),
    Min(1),
    Max(MAX_INTEGER),
  );
}

/**
 * An integer in the query string, such as `limit`: only plain decimal digits become a number.
 * `Number()` would also read `0x10`, `1e2`, ` 7` and the empty string, which a strict API refuses;
 * anything else stays text and fails IsInt with "must be an integer number".
 */
export function IntegerQueryProperty(options: { description: string; minimum: number; maximum?: number; default: number; example: number }): PropertyDecorator {
  const { minimum, maximum } = options;
  return applyDecorators(
    ApiProperty({ type: 'integer', required: false, ...options }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value)),
    IsInt(),
    Min(minimum),
    ...(maximum === undefined ? [] : [Max(maximum)]),
  );
}
