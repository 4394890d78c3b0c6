import { Server } from 'node:http';

import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';

import { AppConfig } from '../../core/config/app-config';
import { AppModule } from '../app.module';
import { APP_OPTIONS, configureApp } from '../app-setup';
import { exposureWarning } from '../security/exposure-warning';
import { shutDownGracefully } from './graceful-shutdown';

/**
 * The service as its process runs it, ready to listen: the app configured as the tests have it,
 * plus what belongs to the process alone. It shuts down gracefully on SIGTERM and SIGINT (process
 * signals, so never in the tests, which start many apps in one process), and once it listens it
 * tells the operator whether the API is open (exposure-warning.ts) and where it listens.
 */
export async function createService(config: AppConfig): Promise<INestApplication> {
  const app = configureApp(await NestFactory.create(AppModule.forRoot(config), APP_OPTIONS));
  const logger = app.get(Logger);
  shutDownGracefully(app, config.shutdownTimeoutMs, logger);
  (app.getHttpServer() as Server).once('listening', () => {
    const warning = exposureWarning(config);
    if (warning) logger[warning.level](warning.message, 'Security');
    const authentication = config.authenticationEnabled ? `API keys required (${config.security.apiKeys.length})` : 'no authentication';
    logger.log(`TrackingDb API listening on ${config.host}:${config.port}, ${authentication}; OpenAPI UI at /docs`, 'Bootstrap');
  });
  return app;
}
