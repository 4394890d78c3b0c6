import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNotEmpty, IsString, MaxLength, Min } from 'class-validator';
import { UbidProperty } from '../../core/validation/decorators';

/** `POST /tracking/sms_transfers/`: registers a batch, or re-registers it for a retry. */
export class CreateSmsTransferDto {
  @ApiProperty({ description: 'SMS messages in the whole batch.', minimum: 1, example: 824686 })
  @IsInt()
  @Min(1)
  SMScount: number;

  @ApiProperty({ description: 'Documents (SMS messages with their data) the batch will upload.', minimum: 1, example: 412343 })
  @IsInt()
  @Min(1)
  documents: number;

  @UbidProperty()
  UBID: string;

  @ApiProperty({ description: 'Name of the batch file as stored by the sender.', maxLength: 55, example: 'batch_2024-04-17_0858.json' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(55)
  fileName: string;

  @ApiProperty({ description: 'Name of the batch file as the customer delivered it.', maxLength: 50, example: 'april-campaign.csv' })
  @IsString()
  @IsNotEmpty()
  @MaxLength(50)
  origName: string;
}
