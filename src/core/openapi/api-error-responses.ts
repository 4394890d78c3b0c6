import { applyDecorators, HttpException, HttpStatus } from '@nestjs/common';
import { ApiExtraModels, ApiResponse } from '@nestjs/swagger';

import { DEFAULT_HTTP_LIMITS } from '../config/app-config';
import { DomainError } from '../errors/domain-error';
import { ErrorResponseDto, FieldErrorDto, ValidationErrorResponseDto } from '../errors/error-response.dto';
import { domainErrorBody } from '../errors/http-exception.filter';
import { bodyTooLarge } from '../http/body-parsing';
import { bodyTooSlow } from '../http/upload-admission';

/**
 * The answers the plumbing gives alike on every route, described once here. Any other status is
 * a feature's (an unknown resource's 404, a rule's 409), and its description comes with its example.
 */
const PLUMBING_DESCRIPTIONS = {
  [HttpStatus.SERVICE_UNAVAILABLE]:
    'The database cannot be used right now (server down, file locked, a statement too slow), or the service is busy: the request bodies it holds in memory already fill its budget (MAX_INFLIGHT_BODY_MB), and this request has a body. Retry after the Retry-After seconds.',
  [HttpStatus.REQUEST_TIMEOUT]:
    'The request body arrived more slowly than MIN_BODY_RATE_KIB_S allows over a 10 s window (the example: the default, 8 KiB/s). Nothing was stored; send it again. Node also answers 408, without a body, to a request not received whole within REQUEST_TIMEOUT_MS.',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'The request body is larger than 16 MiB.',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'The request is invalid: `detail` lists the rejected fields.',
};
type PlumbingStatus = keyof typeof PLUMBING_DESCRIPTIONS;

/** An error thrown in the case documented: a service's DomainError, or the HTTP layer's exception. */
type ThrownError = DomainError | HttpException;

/**
 * One documented error answer: the error thrown in that case, made by the same factory with the
 * documentation's example values, or, for field errors, the detail itself.
 */
export type ErrorExample = ThrownError | { description?: string; example: unknown };

/** The error answers of one operation by status; a status the plumbing does not describe needs its own description. */
export type ErrorResponses = Partial<Record<PlumbingStatus, ErrorExample>> &
  Partial<Record<Exclude<HttpStatus, PlumbingStatus>, { description: string; example: unknown }>>;

/** The `detail` of an error answer, as the filter writes it. */
export function detailOf(example: unknown): unknown {
  if (example instanceof DomainError) return domainErrorBody(example).detail;
  if (!(example instanceof HttpException)) return example;
  return (example.getResponse() as { detail?: unknown }).detail;
}

function isThrownError(error: ErrorExample): error is ThrownError {
  return error instanceof DomainError || error instanceof HttpException;
}

/**
 * Documents an operation's error answers with the one error schema (422 with its field list),
 * each with an example `detail` made by the code that answers it, so that the two cannot drift.
 */
export function ApiErrorResponses(errors: ErrorResponses) {
  const decorators = Object.entries(errors as Partial<Record<HttpStatus, ErrorExample>>).map(([code, error]) => {
    const status = Number(code) as HttpStatus;
    const { description, example } = isThrownError(error) ? { description: undefined, example: error } : error;
    return ApiResponse({
      status,
      description: description ?? PLUMBING_DESCRIPTIONS[status as PlumbingStatus],
      type: status === HttpStatus.UNPROCESSABLE_ENTITY ? ValidationErrorResponseDto : ErrorResponseDto,
      example: { statusCode: status, detail: detailOf(example) },
    });
  });
  return applyDecorators(ApiExtraModels(FieldErrorDto), ...decorators);
}

/** The 422 answer to a value that breaks a rule, as `RequestValidationPipe` writes it. */
export function fieldError(loc: (string | number)[], msg: string, type: string) {
  return [{ loc, msg, type }];
}

/** The answers every operation that takes a body may give about the body itself: too slow (408), too large (413). */
export const BODY_ERRORS = {
  408: bodyTooSlow(DEFAULT_HTTP_LIMITS.minBodyRateKibS * 1024),
  413: bodyTooLarge(),
} satisfies Partial<Record<HttpStatus, ErrorExample>>;
