import { DatabaseUnavailableError, SERVER_UNREACHABLE } from '../core/database/database-unavailable';
import { unavailableDetail } from '../core/errors/http-exception.filter';
import { ApiErrorResponses, fieldError } from '../core/openapi/api-error-responses';

/**
 * For a controller under /tracking: every operation uses the database, so each may answer 503
 * when it cannot. The API keys' answers (401, 403) are documented by the app, which installs the
 * middleware that gives them on every route under /tracking.
 */
export function ApiTrackingResource(): ClassDecorator {
  return ApiErrorResponses({ 503: { example: unavailableDetail(new DatabaseUnavailableError(SERVER_UNREACHABLE, undefined)) } });
}

/** The 422 of every route with a `{ubid}` in its path. */
export const BAD_UBID = { example: fieldError(['path', 'ubid'], 'ubid must be a UUID', 'isUuid') };
