import { ApiProperty } from '@nestjs/swagger';

/** The original's answer for document operations: a sentence for people and the number for programs. */
export class SmsDocumentResultDto {
  @ApiProperty({
    description: 'What was done, in words.',
    example: "Inserted 5000 document(s) for UBID '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10' in table tracking.sms_documents",
  })
  result: string;

  @ApiProperty({ type: 'integer', description: 'How many documents it concerned.', example: 5000 })
  count: number;
}
