import { Module } from '@nestjs/common';

import { MetricsController } from './metrics.controller';

/** The /metrics route; AppModule imports it only with METRICS_ENABLED. */
@Module({ controllers: [MetricsController] })
export class MetricsEndpointModule {}
