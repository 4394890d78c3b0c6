import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { TrackingState } from '../../core/tracking-state';
import { StateProperty } from '../../core/validation/decorators';

export const MAX_PAGE_SIZE = 1000;

/** `GET /tracking/sms_transfers/?limit=&offset=&state=` */
export class ListSmsTransfersQueryDto {
  @ApiProperty({ type: 'integer', description: 'Transfers per page.', minimum: 1, maximum: MAX_PAGE_SIZE, default: 100, required: false, example: 100 })
  @Type(() => Number)
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt()
  limit: number = 100;

  @ApiProperty({ type: 'integer', description: 'Transfers to skip, newest first.', minimum: 0, default: 0, required: false, example: 0 })
  @Type(() => Number)
  @Min(0)
  @IsInt()
  offset: number = 0;

  @IsOptional()
  @StateProperty({ description: 'Only transfers in this state.', required: false })
  state?: TrackingState;
}
