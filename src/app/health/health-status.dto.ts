import { ApiProperty } from '@nestjs/swagger';

export class HealthIndicatorStatusDto {
  @ApiProperty({ enum: ['up', 'down'], example: 'up' })
  status: 'up' | 'down';
}

/** @nestjs/terminus's answer, as load balancers and orchestrators know it. */
export class HealthStatusDto {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status: 'ok';

  @ApiProperty({
    description: 'The checks that passed, by name.',
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/HealthIndicatorStatusDto' },
    example: { database: { status: 'up' } },
  })
  info: Record<string, HealthIndicatorStatusDto>;

  @ApiProperty({ description: 'The checks that failed: none in a 200.', type: 'object', additionalProperties: true, example: {} })
  error: Record<string, unknown>;

  @ApiProperty({
    description: 'Every check, by name.',
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/HealthIndicatorStatusDto' },
    example: { database: { status: 'up' } },
  })
  details: Record<string, HealthIndicatorStatusDto>;
}
