import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { IsEnum, IsUUID } from 'class-validator';
import { TrackingState } from '../tracking-state';

export const EXAMPLE_UBID = '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10';

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
    ApiProperty({ enum: TrackingState, enumName: 'TrackingState', description, example: TrackingState.SENT, required }),
  );
}
