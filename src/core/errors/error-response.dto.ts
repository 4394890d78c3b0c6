import { ApiProperty, getSchemaPath } from '@nestjs/swagger';

/** The body of every error the API answers with: Nest's `statusCode` plus the original's `detail`. */
export class ErrorResponseDto {
  @ApiProperty({ type: 'integer', description: 'The HTTP status code, repeated in the body.', example: 404 })
  statusCode: number;

  @ApiProperty({
    description: 'What went wrong, in words.',
    example: "UBID '0b6e4a8c-6a5b-4a43-9b87-5f4f2c1d7e10' is not found in table tracking.sms_transfers",
  })
  detail: string;
}

/** One rejected field of a request, located like FastAPI does it so the original's clients can read it. */
export class FieldErrorDto {
  @ApiProperty({
    description: 'Where the bad value is: the request part (`body`, `query`, `path`), then property names and array indexes.',
    example: ['body', 'documents', 3, 'SMScount'],
    type: 'array',
    items: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
  })
  loc: (string | number)[];

  @ApiProperty({ description: 'What is wrong with the value.', example: 'SMScount must not be less than 1' })
  msg: string;

  @ApiProperty({ description: 'The rule that failed.', example: 'min' })
  type: string;
}

/**
 * 422: `detail` lists the rejected fields for a validation failure, or is a sentence when the
 * database refused the data (an unknown UBID for documents).
 */
export class ValidationErrorResponseDto {
  @ApiProperty({ type: 'integer', description: 'Always 422.', example: 422 })
  statusCode: number;

  @ApiProperty({
    description: 'The rejected fields, or a sentence when the database refused the write.',
    oneOf: [{ type: 'array', items: { $ref: getSchemaPath(FieldErrorDto) } }, { type: 'string' }],
    example: [{ loc: ['body', 'documents', 3, 'SMScount'], msg: 'SMScount must not be less than 1', type: 'min' }],
  })
  detail: FieldErrorDto[] | string;
}
