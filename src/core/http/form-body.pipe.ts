import { HttpStatus, Injectable, PipeTransform, UnsupportedMediaTypeException } from '@nestjs/common';

import { RequestValidationException } from '../errors/request-validation.exception';
import { nulCharacterErrors } from '../validation/nul-character';

/** A form's fields as the parser gives them: a name given twice is a list of its values. */
export type FormFields = Record<string, string | string[]>;

/**
 * The `@Body()` pipe of a route that takes a form (`application/x-www-form-urlencoded`), as the
 * SMS gateways post their reports. `routesWithFormBody()` finds its routes in the controllers'
 * metadata, and only their bodies are parsed as forms (useFormBodyParsing), under a limit of
 * their own; any other body reaches the pipe unparsed, and is refused. Its parameter has no DTO
 * class, so the validation pipe leaves it alone: this pipe refuses the NUL character itself, as
 * that pipe does in every other request part.
 */
@Injectable()
export class FormBodyPipe implements PipeTransform<unknown, FormFields> {
  transform(body: unknown): FormFields {
    if (typeof body !== 'object' || body === null) throw notAForm();
    const errors = nulCharacterErrors(body, 'body');
    if (errors.length > 0) throw new RequestValidationException(errors);
    return body as FormFields;
  }
}

/** Whether a pipe given to `@Body()` (a class or an instance) is the FormBodyPipe. */
export function isFormBodyPipe(pipe: unknown): boolean {
  return pipe === FormBodyPipe || pipe instanceof FormBodyPipe;
}

/** A body of another type on a route that takes a form (415). */
export function notAForm(): UnsupportedMediaTypeException {
  return new UnsupportedMediaTypeException({
    statusCode: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    detail: 'This route takes a form: send the body as application/x-www-form-urlencoded',
  });
}
