import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckResult, HealthCheckService } from '@nestjs/terminus';

import { DatabaseHealthIndicator } from './database-health.indicator';
import { ApiCheckLiveness, ApiCheckReadiness, ApiHealth } from './health.docs';
import { notReady } from './health.errors';

/** Probes for load balancers and orchestrators; outside /tracking, so they need no API key. */
@ApiHealth()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: DatabaseHealthIndicator,
  ) {}

  @Get()
  @ApiCheckLiveness()
  checkLiveness(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  @Get('ready')
  @ApiCheckReadiness()
  async checkReadiness(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([() => this.database.check('database')]);
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      const { error: failed } = error.getResponse() as HealthCheckResult;
      throw notReady(String(failed?.database?.message));
    }
  }
}
