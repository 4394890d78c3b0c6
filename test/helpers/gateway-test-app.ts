import { DynamicModule, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';

import { AppModule } from '../../src/app/app.module';
import { APP_OPTIONS, configureApp } from '../../src/app/app-setup';
import { loadConfig } from '../../src/core/config/app-config';
import { GatewaysModule } from '../../src/gateways/gateways.module';
import { ReceiptRecorder } from '../../src/tracking/gateway-receipt';

/**
 * The real app with the gateways' callbacks, configured exactly as main.ts does it, their
 * ReceiptRecorder being `recorder`. GatewaysModule needs a module that exports ReceiptRecorder
 * beside it; the service's own is not part of this app, so the test hands it one, global as the
 * recording module would be wired.
 */
export async function createGatewayTestApp(recorder: ReceiptRecorder, env: Record<string, string> = {}): Promise<INestApplication> {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: 'sqlite::memory:', ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [AppModule.forRoot(config), GatewaysModule, recorderModule(recorder)],
  }).compile();
  const app = configureApp(moduleRef.createNestApplication(APP_OPTIONS));
  await app.init();
  return app;
}

function recorderModule(recorder: ReceiptRecorder): DynamicModule {
  class TestReceiptRecorderModule {}
  return {
    module: TestReceiptRecorderModule,
    global: true,
    providers: [{ provide: ReceiptRecorder, useValue: recorder }],
    exports: [ReceiptRecorder],
  };
}
