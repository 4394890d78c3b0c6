import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { SERVER_UNREACHABLE } from '../../core/database/database-unavailable';
import { ApiErrorResponses } from '../../core/openapi/api-error-responses';
import { notReady } from './health.errors';
import { HealthIndicatorStatusDto, HealthStatusDto } from './health-status.dto';

/** An empty security requirement: says in the OpenAPI document that no key is needed. */
const PUBLIC: [] = [];

export function ApiHealth() {
  return applyDecorators(ApiTags('Health'), ApiExtraModels(HealthIndicatorStatusDto));
}

export function ApiCheckLiveness() {
  return applyDecorators(
    ApiOperation({
      security: PUBLIC,
      summary: 'Liveness',
      description:
        'Answers 200 while the process serves HTTP. It checks nothing else, so that a database outage never gets the service restarted.',
    }),
    ApiOkResponse({
      type: HealthStatusDto,
      description: 'The process is alive.',
      example: { status: 'ok', info: {}, error: {}, details: {} },
    }),
  );
}

export function ApiCheckReadiness() {
  return applyDecorators(
    ApiOperation({
      security: PUBLIC,
      summary: 'Readiness',
      description: 'Answers 200 when the database answers a query within 2 s, 503 otherwise.',
    }),
    ApiOkResponse({
      type: HealthStatusDto,
      description: 'The database answers: the service can take requests.',
      example: { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } },
    }),
    ApiErrorResponses({ 503: { description: 'The database does not answer.', example: notReady(SERVER_UNREACHABLE) } }),
  );
}
