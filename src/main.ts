import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp } from './core/app-setup';
import { ConfigError, loadConfig } from './core/config/app-config';

async function bootstrap(): Promise<void> {
  const config = loadConfig();
  const app = configureApp(await NestFactory.create(AppModule.forRoot(config), APP_OPTIONS));
  await app.listen(config.port);
  app.get(Logger).log(`TrackingDb API listening on port ${config.port}; OpenAPI UI at /docs`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  // A bad setting is the operator's to fix: say which, without a stack trace.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
