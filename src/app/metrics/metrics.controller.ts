import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

import { Metrics } from '../../core/metrics/metrics';

/**
 * `GET /metrics` for Prometheus, open like the health probes (outside /tracking, so no API key).
 * Left out of the OpenAPI document: it is for a scraper, in Prometheus's text format, not part of
 * the API a client is generated from.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrapeMetrics(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
