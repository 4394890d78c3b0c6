import { Global, Module } from '@nestjs/common';

import { AppConfig } from '../config/app-config';
import { Metrics } from './metrics';

/** One `Metrics` per app, for the services and the database to count in. */
@Global()
@Module({
  providers: [{ provide: Metrics, inject: [AppConfig], useFactory: (config: AppConfig) => new Metrics(config.metricsEnabled) }],
  exports: [Metrics],
})
export class MetricsModule {}
