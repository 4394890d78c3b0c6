import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { EXAMPLE_UBID } from '../../tracking/decorators';
import { DeliveryOutcome } from '../../tracking/gateway-receipt';

const count = (description: string, example: number) => ApiProperty({ type: 'integer', description, example });

/** A batch's progress at a glance. `total` = `INIT` + `SENT` + `DONE`. */
export class SmsDocumentsSummaryDto {
  @ApiProperty({ description: 'The batch id.', format: 'uuid', example: EXAMPLE_UBID })
  UBID: string;

  @count('All documents of the batch.', 100000)
  total: number;

  @count('Documents in state INIT: uploaded, not (yet) reported sent.', 40000)
  INIT: number;

  @count('Documents in state SENT: handed to the gateway, not (yet) reported delivered.', 10000)
  SENT: number;

  @count('Documents in state DONE: delivered.', 50000)
  DONE: number;

  @ApiProperty({
    description: "The latest `when` of the batch's documents (upload or state change), in UTC; null when it has no documents.",
    type: String,
    format: 'date-time',
    nullable: true,
    example: '2024-04-17T09:12:05.000Z',
  })
  lastChange: Date | null;

  @ApiPropertyOptional({
    description:
      'Only once a receipt by message id reported an outcome: the DONE documents per outcome, every outcome named (docs/receipts.md).',
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { delivered: 49000, failed: 700, expired: 250, rejected: 50, unknown: 0 },
  })
  outcomes?: Record<DeliveryOutcome, number>;

  @ApiPropertyOptional({
    description: 'With `outcomes`: the documents per error code the gateways gave with the outcome.',
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { '000': 49000, '011': 700, '0x0c': 250 },
  })
  errorCodes?: Record<string, number>;
}
