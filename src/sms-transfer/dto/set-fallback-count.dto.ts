import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Max, Min } from 'class-validator';
import { MAX_INTEGER } from '../../core/validation/decorators';

/** `PUT /tracking/sms_transfers/{ubid}/fallback` */
export class SetFallbackCountDto {
  @ApiProperty({ type: 'integer', description: 'Documents sent through the fallback channel.', minimum: 0, maximum: MAX_INTEGER, example: 1250 })
  @Max(MAX_INTEGER)
  @Min(0)
  @IsInt()
  fallbackCount: number;
}
