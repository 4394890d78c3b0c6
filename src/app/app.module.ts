import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';

import { AppConfig } from '../core/config/app-config';
import { ConfigModule } from '../core/config/config.module';
import { DatabaseModule } from '../core/database/database.module';
import { RequestsInFlightModule } from '../core/http/requests-in-flight.module';
import { LoggingModule } from '../core/logging/logging.module';
import { MetricsModule } from '../core/metrics/metrics.module';
import { GatewaysModule } from '../gateways/gateways.module';
import { ProgressPageModule } from '../progress-page/progress-page.module';
import { SmsDocumentModule } from '../sms-document/sms-document.module';
import { SmsTransferModule } from '../sms-transfer/sms-transfer.module';
import { MIGRATIONS } from './database/migrations';
import { HealthModule } from './health/health.module';
import { MetricsEndpointModule } from './metrics/metrics-endpoint.module';

/** The whole service; `config` is read and validated by the caller (main.ts, or a test). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        MetricsModule,
        RequestsInFlightModule,
        ScheduleModule.forRoot(),
        DatabaseModule.forRoot(config.database, MIGRATIONS),
        HealthModule,
        SmsTransferModule,
        SmsDocumentModule,
        GatewaysModule,
        ...(config.metricsEnabled ? [MetricsEndpointModule] : []),
        ProgressPageModule,
      ],
    };
  }
}
