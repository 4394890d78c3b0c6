import { CountProperty, TextProperty } from '../../core/validation/decorators';
import { UbidProperty } from '../../tracking/decorators';

/** `POST /tracking/sms_transfers/`: registers a batch, or re-registers it for a retry. */
export class CreateSmsTransferDto {
  @CountProperty({ description: 'SMS messages in the whole batch.', example: 824686 })
  SMScount: number;

  @CountProperty({ description: 'Documents (SMS messages with their data) the batch will upload.', example: 412343 })
  documents: number;

  @UbidProperty()
  UBID: string;

  @TextProperty({ description: 'Name of the batch file as stored by the sender.', maxLength: 55, example: 'batch_2024-04-17_0858.json' })
  fileName: string;

  @TextProperty({ description: 'Name of the batch file as the customer delivered it.', maxLength: 50, example: 'april-campaign.csv' })
  origName: string;
}
