import { HttpException } from '@nestjs/common';
import { getSchemaPath, OpenAPIObject } from '@nestjs/swagger';
import { OperationObject, ResponseObject, SecurityRequirementObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

import { API_KEY_SCOPES, scopeNeededFor } from '../../core/config/api-key-scope';
import { ErrorResponseDto } from '../../core/errors/error-response.dto';
import { detailOf } from '../../core/openapi/api-error-responses';
import { apiKeyScopeTooNarrow, apiKeyScopeTooNarrowForRoute, missingApiKey, missingApiKeyInUrl } from './api-key.errors';
import { PROTECTED_PATH } from './api-key-authentication';
import { hostNotAllowed } from './host.errors';

/** The names of the two ways to send an API key, as declared in the OpenAPI document. */
export const BEARER_SCHEME = 'bearer';
export const API_KEY_SCHEME = 'apiKey';

const UNAUTHORIZED_DESCRIPTION = 'The service runs with API keys, and the request has none or a wrong one.';
const FORBIDDEN_DESCRIPTION =
  "The API key's scope does not allow this method (`read`: GET and HEAD; `write`: also POST and PUT; `admin`: everything, DELETE included), or the service runs without API keys and the request's Host is not this machine (localhost, 127.0.0.1, [::1]) nor one of ALLOWED_HOSTS.";

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/**
 * Adds to every operation under PROTECTED_PATH what the API-key middleware answers there: either
 * key scheme, the 401, and a 403 whose example follows the operation's method (the scope it
 * needs, from a key one scope narrower; for a read, which every key may make, the keyless
 * service's refusal of another host). It goes by the path, as the middleware does, so that no
 * controller can leave its routes undocumented.
 */
export function documentApiKeyAnswers(document: OpenAPIObject): OpenAPIObject {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!path.startsWith(`${PROTECTED_PATH}/`)) continue;
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) item[method] = withApiKeyAnswers(operation, method.toUpperCase(), path);
    }
  }
  return document;
}

function withApiKeyAnswers(operation: OperationObject, method: string, path: string): OperationObject {
  // An operation that declares its own ways documents its answers: those that take the key in the URL too, or a signature instead.
  if (operation.security !== undefined) {
    if (!operation.security.some((way) => BEARER_SCHEME in way)) return operation;
    // Such routes take a gateway's reports: each needs a write key, whatever its method.
    return withApiKeyAnswersOf(operation, operation.security, missingApiKeyInUrl(), apiKeyScopeTooNarrowForRoute(path, 'write', 'read'));
  }
  return withApiKeyAnswersOf(operation, [{ [BEARER_SCHEME]: [] }, { [API_KEY_SCHEME]: [] }], missingApiKey(), forbiddenExample(method));
}

function withApiKeyAnswersOf(
  operation: OperationObject,
  security: SecurityRequirementObject[],
  unauthorized: HttpException,
  forbidden: HttpException,
): OperationObject {
  const documented: OperationObject = {
    ...operation,
    security,
    responses: {
      ...operation.responses,
      401: errorAnswer(UNAUTHORIZED_DESCRIPTION, unauthorized),
      403: errorAnswer(FORBIDDEN_DESCRIPTION, forbidden),
    },
  };
  // In alphabetical order, as Swagger writes every operation's keys.
  return Object.fromEntries(Object.entries(documented).sort(([a], [b]) => (a < b ? -1 : 1))) as OperationObject;
}

function forbiddenExample(method: string): HttpException {
  const needed = scopeNeededFor(method);
  if (needed === 'read') return hostNotAllowed();
  return apiKeyScopeTooNarrow(method, needed, API_KEY_SCOPES[API_KEY_SCOPES.indexOf(needed) - 1]);
}

/** The answer as ApiErrorResponses documents one: the error schema, with the service's own `detail`. */
function errorAnswer(description: string, error: HttpException): ResponseObject {
  return {
    description,
    content: {
      'application/json': {
        schema: { $ref: getSchemaPath(ErrorResponseDto) },
        example: { statusCode: error.getStatus(), detail: detailOf(error) },
      },
    },
  };
}
