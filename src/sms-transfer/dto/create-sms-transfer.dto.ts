import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { UbidProperty } from '../../core/validation/decorators';

/** `POST /tracking/sms_transfers/`: registers a batch, or re-registers it for a retry. */
export class CreateSmsTransferDto {
  @ApiProperty({ type: 'integer', description: 'SMS messages in the whole batch.', minimum: 1, example: 824686 })
  @Min(1)
  @IsInt()
  SMScount: number;

  @ApiProperty({ type: 'integer', description: 'Documents (SMS messages with their data) the batch will upload.', minimum: 1, example: 412343 })
  @Min(1)
  @IsInt()
  documents: number;

  @UbidProperty()
  UBID: string;

  @ApiProperty({ description: 'Name of the batch file as stored by the sender.', maxLength: 55, example: 'batch_2024-04-17_0858.json' })
  @MaxLength(55)
  @IsNotEmpty()
  @IsString()
  fileName: string;

  @ApiProperty({ description: 'Name of the batch file as the customer delivered it.', maxLength: 50, example: 'april-campaign.csv' })
  @MaxLength(50)
  @IsNotEmpty()
  @IsString()
  origName: string;
}
