import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidateFunction } from 'ajv';

import { FieldErrorDto } from '../errors/error-response.dto';
import { RequestValidationException } from '../errors/request-validation.exception';
import { CompiledValidation } from './compiled-validation';
import { nestsDeeperThan } from './max-json-depth';
import { nulCharacterErrors } from './nul-character';

/**
 * No valid body of this API nests deeper (documents' data may nest 64 levels). class-transformer
 * recurses, so a hostile 100,000-level body must be refused before it gets there.
 */
export const MAX_BODY_DEPTH = 128;

/** Carries the field errors from the exception factory to `checkRules`, which knows the request part; never shown. */
class FieldErrors extends Error {
  constructor(readonly errors: ValidationError[]) {
    super();
  }
}

/** `loc`'s first item for each request part the pipe checks (a custom decorator's value is passed through). */
const REQUEST_PART: Record<Exclude<ArgumentMetadata['type'], 'custom'>, string> = {
  body: 'body',
  query: 'query',
  param: 'path',
};

/**
 * Nest's ValidationPipe answering 422 (the original's status for every invalid request) with
 * FastAPI-style field errors: `{loc: ['body', 'documents', 3, 'SMScount'], msg, type}`.
 * Unknown properties are dropped (`whitelist`), not refused; nothing is converted implicitly,
 * so `"5"` is not an integer.
 *
 * Bodies first meet their DTO's compiled check (see CompiledValidation): a valid body passes
 * as the parsed object, with unknown properties removed, without building class instances.
 * Anything it refuses goes through class-validator, which decides and words the 422.
 *
 * What passes is then searched for U+0000 in any string, wherever it is (see nulCharacterErrors):
 * one rule for every field of every request part, present and future.
 */
@Injectable()
export class RequestValidationPipe extends ValidationPipe {
  private readonly compiled = new CompiledValidation();

  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidUnknownValues: true,
      // One message per field. class-validator runs a property's decorators bottom-up, so the DTOs
      // put the type check nearest the property: "must be an integer" is reported, not "must not be less than 1".
      stopAtFirstError: true,
      exceptionFactory: (errors) => new FieldErrors(errors),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Nest validates no custom decorator's value (validateCustomDecorators is off): nor does the search for NUL.
    if (metadata.type === 'custom' || isOwnPipesBody(metadata)) return value;
    const part = REQUEST_PART[metadata.type];
    return withoutNulCharacters(await this.checkRules(value, metadata, part), part);
  }

  /**
   * The compiled check this pipe gives a DTO's bodies (null when the DTO cannot be compiled), for
   * a pipe that checks a body of that DTO itself before it asks this one to word the refusal: the
   * DTO is compiled once.
   */
  compiledCheckFor(dto: new () => object): ValidateFunction | null {
    return this.compiled.validatorFor(dto);
  }

  private async checkRules(value: unknown, metadata: ArgumentMetadata, part: string): Promise<unknown> {
    if (metadata.type === 'body') {
      if (metadata.metatype && this.compiled.validatorFor(metadata.metatype as new () => object)?.(value)) {
        return value;
      }
      if (nestsDeeperThan(value, MAX_BODY_DEPTH)) {
        throw new RequestValidationException([
          { loc: ['body'], msg: `body must not be nested more than ${MAX_BODY_DEPTH} levels deep`, type: 'maxJsonDepth' },
        ]);
      }
    }
    try {
      return await super.transform(value, metadata);
    } catch (error) {
      if (error instanceof FieldErrors) {
        throw new RequestValidationException(flatten(error.errors, [part]));
      }
      throw error;
    }
  }
}

/**
 * A body declared without a DTO class (the upload's `@Body(DocumentBatchPipe) batch: DocumentBatch`)
 * is its own pipe's to parse and check: it may still be the raw lane's bytes (see RawJsonBodyPipe).
 */
function isOwnPipesBody({ type, metatype }: ArgumentMetadata): boolean {
  return type === 'body' && (metatype === undefined || metatype === Object);
}

/** A validated value, which nests no deeper than its DTO allows, so that the search cannot overflow the stack. */
function withoutNulCharacters<T>(value: T, part: string): T {
  const errors = nulCharacterErrors(value, part);
  if (errors.length > 0) throw new RequestValidationException(errors);
  return value;
}

function flatten(errors: ValidationError[], parent: (string | number)[]): FieldErrorDto[] {
  return errors.flatMap((error) => {
    // A refusal of the value as a whole (an object of a class without rules) names no property.
    const loc = error.property === undefined ? parent : [...parent, /^\d+$/.test(error.property) ? Number(error.property) : error.property];
    const own = Object.entries(error.constraints ?? {}).map(([type, msg]) => ({ loc, msg, type }));
    return [...own, ...flatten(error.children ?? [], loc)];
  });
}
