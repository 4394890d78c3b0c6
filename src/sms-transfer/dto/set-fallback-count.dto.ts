import { IntegerProperty } from '../../core/validation/decorators';

/** `PUT /tracking/sms_transfers/{ubid}/fallback` */
export class SetFallbackCountDto {
  @IntegerProperty({ description: 'Documents sent through the fallback channel.', minimum: 0, example: 1250 })
  fallbackCount: number;
}
