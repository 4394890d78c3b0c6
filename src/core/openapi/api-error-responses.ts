import { applyDecorators, HttpException, HttpStatus, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants';
import { ApiBearerAuth, ApiExtraModels, ApiResponse, ApiSecurity } from '@nestjs/swagger';

import { API_KEY_SCOPES, scopeNeededFor } from '../config/api-key-scope';
import { DEFAULT_HTTP_LIMITS } from '../config/app-config';
import { DatabaseUnavailableError, SERVER_UNREACHABLE } from '../database/database-unavailable';
import { apiKeyScopeTooNarrow, missingApiKey } from '../errors/api-key.errors';
import { ErrorResponseDto, FieldErrorDto, ValidationErrorResponseDto } from '../errors/error-response.dto';
import { hostNotAllowed } from '../errors/host.errors';
import { unavailableDetail } from '../errors/http-exception.filter';
import { bodyTooLarge } from '../http/body-parsing';
import { bodyTooSlow } from '../http/upload-admission';

const DESCRIPTIONS: Partial<Record<HttpStatus, string>> = {
  [HttpStatus.UNAUTHORIZED]: 'The service runs with API keys, and the request has none or a wrong one.',
  [HttpStatus.FORBIDDEN]:
    "The API key's scope does not allow this method (`read`: GET and HEAD; `write`: also POST and PUT; `admin`: everything, DELETE included), or the service runs without API keys and the request's Host is not this machine (localhost, 127.0.0.1, [::1]) nor one of ALLOWED_HOSTS.",
  [HttpStatus.SERVICE_UNAVAILABLE]:
    'The database cannot be used right now (server down, file locked, a statement too slow), or the service is busy: the request bodies it holds in memory already fill its budget (MAX_INFLIGHT_BODY_MB), and this request has a body. Retry after the Retry-After seconds.',
  [HttpStatus.NOT_FOUND]: 'Unknown UBID.',
  [HttpStatus.CONFLICT]: 'States only move forward (INIT → SENT → DONE): this would move one back. Nothing was changed.',
  [HttpStatus.REQUEST_TIMEOUT]:
    'The request body arrived more slowly than MIN_BODY_RATE_KIB_S allows over a 10 s window (the example: the default, 8 KiB/s). Nothing was stored; send it again. Node also answers 408, without a body, to a request not received whole within REQUEST_TIMEOUT_MS.',
  [HttpStatus.PAYLOAD_TOO_LARGE]: 'The request body is larger than 16 MiB.',
  [HttpStatus.UNPROCESSABLE_ENTITY]: 'The request is invalid: `detail` lists the rejected fields.',
};

/**
 * One documented error answer: the exception the service throws in that case, made by the same
 * factory with the documentation's example values, or, for field errors, the detail itself.
 */
export type ErrorExample = HttpException | { description?: string; example: unknown };

/** The `detail` of an error answer, as the service writes it. */
export function detailOf(example: unknown): unknown {
  if (!(example instanceof HttpException)) return example;
  return (example.getResponse() as { detail?: unknown }).detail;
}

/**
 * Documents an operation's error answers with the one error schema (422 with its field list),
 * each with an example `detail` made by the code that answers it, so that the two cannot drift.
 */
export function ApiErrorResponses(errors: Partial<Record<HttpStatus, ErrorExample>>) {
  const decorators = Object.entries(errors).map(([code, error]) => {
    const status = Number(code) as HttpStatus;
    const { description, example } = error instanceof HttpException ? { description: undefined, example: error } : error;
    return ApiResponse({
      status,
      description: description ?? DESCRIPTIONS[status],
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

/** The names of the two ways to send an API key, as declared in the OpenAPI document. */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

/**
 * For a controller under /tracking: either API key scheme is accepted (when the service runs with
 * API_KEYS), and every operation may answer 401, 403 or, with the database gone, 503. The 403's
 * example follows the operation's method: the scope it needs, from a key one scope narrower; for a
 * read, which every key may make, the keyless service's refusal of another host.
 */
export function ApiTrackingResource(): ClassDecorator {
  return (controller) => {
    applyDecorators(
      ApiBearerAuth(BEARER_SCHEME),
      ApiSecurity(API_KEY_SCHEME),
      ApiErrorResponses({
        401: missingApiKey(),
        503: { example: unavailableDetail(new DatabaseUnavailableError(SERVER_UNREACHABLE, undefined)) },
      }),
    )(controller);
    // Method decorators have run before a class decorator: each handler's HTTP method is known.
    const prototype = controller.prototype as object;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const descriptor = Object.getOwnPropertyDescriptor(prototype, name)!;
      const handler: unknown = descriptor.value;
      if (typeof handler !== 'function') continue;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) continue;
      ApiErrorResponses({ 403: forbiddenExample(RequestMethod[method]) })(prototype, name, descriptor);
    }
  };
}

function forbiddenExample(method: string): HttpException {
  const needed = scopeNeededFor(method);
  if (needed === 'read') return hostNotAllowed();
  return apiKeyScopeTooNarrow(method, needed, API_KEY_SCOPES[API_KEY_SCOPES.indexOf(needed) - 1]);
}

/** The answers every operation that takes a body may give about the body itself: too slow (408), too large (413). */
export const BODY_ERRORS = {
  408: bodyTooSlow(DEFAULT_HTTP_LIMITS.minBodyRateKibS * 1024),
  413: bodyTooLarge(),
} satisfies Partial<Record<HttpStatus, ErrorExample>>;

/** The 422 of every route with a `{ubid}` in its path. */
export const BAD_UBID = { example: fieldError(['path', 'ubid'], 'ubid must be a UUID', 'isUuid') };
