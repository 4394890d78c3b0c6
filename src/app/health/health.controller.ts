import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import { ApiErrorResponses } from '../../core/openapi/api-error-responses';
import { DatabaseHealthIndicator } from './database-health.indicator';
import { HealthIndicatorStatusDto, HealthStatusDto } from './health-status.dto';

/** An empty security requirement: says in the OpenAPI document that no key is needed. */
const PUBLIC: [] = [];

/** Probes for load balancers and orchestrators; outside /tracking, so they need no API key. */
@ApiTags('Health')
@ApiExtraModels(HealthIndicatorStatusDto)
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ security: PUBLIC, summary: 'Liveness', description: 'Answers 200 while the process serves HTTP. It checks nothing else, so that a database outage never gets the service restarted.' })
  @ApiOkResponse({ type: HealthStatusDto, description: 'The process is alive.', example: { status: 'ok', info: {}, error: {}, details: {} } })
  checkLiveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiOperation({ security: PUBLIC, summary: 'Readiness', description: 'Answers 200 when the database answers a query within 2 s, 503 otherwise.' })
  @ApiOkResponse({
    type: HealthStatusDto,
    description: 'The database answers: the service can take requests.',
    example: { status: 'ok', info: { database: { status: 'up' } }, error: {}, details: { database: { status: 'up' } } },
  })
  @ApiErrorResponses({ 503: { description: 'The database does not answer.', example: 'Not ready: the database server cannot be reached' } })
  async checkReadiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check('database')]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const { error: failed } = error.getResponse() as HealthCheckResult;
      throw new ServiceUnavailableException({ detail: `Not ready: ${String(failed?.database?.message)}` });
    }
  }
}
