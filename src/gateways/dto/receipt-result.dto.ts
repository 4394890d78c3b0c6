import { ApiProperty } from '@nestjs/swagger';

import { ReceiptResult } from '../../tracking/gateway-receipt';

const RESULTS: ReceiptResult[] = ['applied', 'unchanged', 'pending'];

/** What became of a gateway's report, once recorded. */
export class ReceiptResultDto {
  @ApiProperty({
    enum: RESULTS,
    enumName: 'ReceiptResult',
    description:
      '`applied`: the document changed; `unchanged`: a duplicate, a late intermediate report, or a final outcome already there; `pending`: no document has that message id yet, the receipt is kept and applied when a submission or upload names it.',
    example: 'applied',
  })
  result: ReceiptResult;
}
