import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';

/*
 * One composite decorator for each kind of field, validation and documentation together.
 * class-validator reports the first rule of a property that fails, in the order the rules are
 * registered: each decorator registers the type check first, so that "must be an integer number"
 * comes before any range message, and nobody orders validators by hand.
 */

/** Leaves an absent value alone (no rule runs) when the field is optional. */
export function optional(required: boolean): PropertyDecorator[] {
  return required ? [] : [IsOptional()];
}

/** The largest value of an INTEGER column on PostgreSQL (32 bits); SQLite's are wider. */
export const MAX_INTEGER = 2_147_483_647;

/** A whole number from `minimum` to MAX_INTEGER at most, so that every engine can store it. */
export function IntegerProperty({ minimum, ...options }: { description: string; example: number; minimum: number }): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: 'integer', minimum, maximum: MAX_INTEGER, ...options }),
    IsInt(),
    Min(minimum),
    Max(MAX_INTEGER),
  );
}

/** A count (SMS, documents): a whole number from 1 to MAX_INTEGER. */
export function CountProperty(options: { description: string; example: number }): PropertyDecorator {
  return IntegerProperty({ ...options, minimum: 1 });
}

/** Text of 1 to `maxLength` characters. */
export function TextProperty({
  maxLength,
  required = true,
  ...options
}: {
  description: string;
  maxLength: number;
  example: string;
  required?: boolean;
}): PropertyDecorator {
  return applyDecorators(
    ...optional(required),
    ApiProperty({ ...options, minLength: 1, maxLength, required }),
    IsString(),
    IsNotEmpty(),
    MaxLength(maxLength),
  );
}

/** A list of 1 to `maxItems` objects of `type`, each validated by its own rules. */
export function NestedListProperty(type: () => new () => object, options: { description: string; maxItems: number }): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ ...options, type: [type()], minItems: 1 }),
    Type(type),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(options.maxItems),
    // ValidateNested alone lets a list inside the list through ([[]] passes it).
    IsObject({ each: true }),
    ValidateNested({ each: true }),
  );
}

/**
 * An integer in the query string, such as `limit`: only plain decimal digits become a number.
 * `Number()` would also read `0x10`, `1e2`, ` 7` and the empty string, which a strict API refuses;
 * anything else stays text and fails IsInt with "must be an integer number".
 */
export function IntegerQueryProperty(options: {
  description: string;
  minimum: number;
  maximum?: number;
  default: number;
  example: number;
}): PropertyDecorator {
  const { minimum, maximum } = options;
  return applyDecorators(
    ApiProperty({ type: 'integer', required: false, ...options }),
    Transform(({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : value)),
    IsInt(),
    Min(minimum),
    ...(maximum === undefined ? [] : [Max(maximum)]),
  );
}

/**
 * One of a few words in the query string, such as an export's `format`, documented as the named
 * enum `enumName` with its default (the field's initial value when the parameter is absent).
 */
export function ChoiceQueryProperty<T extends string>(options: {
  description: string;
  choices: readonly T[];
  enumName: string;
  default: T;
}): PropertyDecorator {
  const { choices, ...documentation } = options;
  return applyDecorators(
    ApiProperty({ ...documentation, enum: choices, required: false, example: documentation.default }),
    IsIn(choices as T[]),
  );
}

/**
 * A time in the query string, such as a purge's `before`: ISO 8601, a date (midnight UTC) or a
 * date and time with its zone. Required: a purge without a bound would remove everything.
 */
export function TimeQueryProperty(options: { description: string; example: string }): PropertyDecorator {
  return applyDecorators(ApiProperty({ ...options, type: String, format: 'date-time' }), IsISO8601({ strict: true }));
}
