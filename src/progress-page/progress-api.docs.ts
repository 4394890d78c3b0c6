import { applyDecorators, HttpStatus } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';

import { ApiErrorResponses, fieldError } from '../core/openapi/api-error-responses';
import { TRANSFER_NOT_FOUND } from '../sms-transfer/sms-transfer.docs';
import { ApiTrackingResource, BAD_UBID } from '../tracking/tracking.docs';
import { EXAMPLE_PROGRESS, TransferProgressDto, TransferProgressPageDto } from './dto/transfer-progress.dto';

/*
 * The OpenAPI documentation of the progress routes, one decorator per route. The 404 is the transfer
 * routes' own, made by the factory the transfer service throws with; test/documented-errors checks it.
 */

const ETAG = {
  ETag: {
    description: 'Send it back as If-None-Match: the answer is 304 while nothing has changed.',
    schema: { type: 'string', example: 'W/"1a3-3Jf0x2cYpDuzy0U1Z4S1v9Ck9xI"' },
  },
};
const FRESHNESS =
  'A summary is counted at most once per batch in a short window and shared by all who ask in it: at least 1 s, or 20 times as long as counting took (2.4 s for 400,000 documents), so it can be that old. For exact figures use `GET /tracking/sms_documents/{ubid}/summary`.';

/** What both routes share: the conditional request and its 304 (Express answers it from the ETag). */
function ApiConditionalPoll() {
  return applyDecorators(
    ApiHeader({ name: 'If-None-Match', required: false, description: 'The ETag of the last answer: 304 if it still holds.' }),
    ApiResponse({
      status: HttpStatus.NOT_MODIFIED,
      description: 'Nothing has changed since the answer whose ETag was sent as If-None-Match; no body.',
    }),
  );
}

/** The controller: its tag, and the 503 every /tracking route may give (the app adds the API keys' 401 and 403). */
export function ApiProgress() {
  return applyDecorators(ApiTags('Progress'), ApiTrackingResource());
}

export function ApiListTransferProgress() {
  return applyDecorators(
    ApiOperation({
      summary: 'List transfers with their progress',
      description: `Newest first, a page at a time, each transfer with its documents' summary. ${FRESHNESS}`,
    }),
    ApiConditionalPoll(),
    ApiOkResponse({
      type: TransferProgressPageDto,
      description: 'One page.',
      example: { total: 1, items: [EXAMPLE_PROGRESS] },
      headers: ETAG,
    }),
    ApiErrorResponses({ 422: { example: fieldError(['query', 'limit'], 'limit must not be greater than 100', 'max') } }),
  );
}

export function ApiGetTransferProgress() {
  return applyDecorators(
    ApiOperation({ summary: "A transfer's progress", description: `The transfer and its documents' summary. ${FRESHNESS}` }),
    ApiConditionalPoll(),
    ApiOkResponse({ type: TransferProgressDto, description: 'The transfer and its summary.', example: EXAMPLE_PROGRESS, headers: ETAG }),
    ApiErrorResponses({ 404: TRANSFER_NOT_FOUND, 422: BAD_UBID }),
  );
}
