import { ApiProperty } from '@nestjs/swagger';

import { SmsDocumentsSummaryDto } from '../../sms-document/dto/sms-documents-summary.dto';
import { EXAMPLE_TRANSFER, SmsTransferDto } from '../../sms-transfer/dto/sms-transfer.dto';
import { EXAMPLE_UBID } from '../../tracking/decorators';

export const EXAMPLE_PROGRESS = {
  transfer: { ...EXAMPLE_TRANSFER, state: 'SENT', when: '2024-04-17T09:02:41.000Z' },
  summary: { UBID: EXAMPLE_UBID, total: 412343, INIT: 12343, SENT: 150000, DONE: 250000, lastChange: '2024-04-17T09:12:05.000Z' },
};

/** A transfer with its documents' summary: what the progress page shows of one batch. */
export class TransferProgressDto {
  @ApiProperty({ type: SmsTransferDto, description: 'The transfer, as `GET /tracking/sms_transfers/{ubid}` answers it.' })
  transfer: SmsTransferDto;

  @ApiProperty({
    type: SmsDocumentsSummaryDto,
    description:
      'Its documents per state, as `GET /tracking/sms_documents/{ubid}/summary` counts them; up to a few seconds old (see the operation).',
  })
  summary: SmsDocumentsSummaryDto;
}

/** A page of transfers with their summaries, newest first. */
export class TransferProgressPageDto {
  @ApiProperty({ type: 'integer', description: 'Transfers matching the filter, on all pages.', example: 1 })
  total: number;

  @ApiProperty({ type: [TransferProgressDto], description: 'This page.' })
  items: TransferProgressDto[];
}
