import { HttpStatus, UnprocessableEntityException } from '@nestjs/common';

import { FieldErrorDto } from './error-response.dto';

/** 422 with a list of field errors, the shape the original's clients parse. */
export class RequestValidationException extends UnprocessableEntityException {
  constructor(readonly fieldErrors: FieldErrorDto[]) {
    super({ statusCode: HttpStatus.UNPROCESSABLE_ENTITY, detail: fieldErrors });
  }
}
