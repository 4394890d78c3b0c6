import { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import { HttpExceptionFilter } from './errors/http-exception.filter';
import { useJsonBodyParsing } from './http/body-parsing';
import { setupOpenApi } from './openapi/openapi';
import { RequestValidationPipe } from './validation/request-validation.pipe';

/**
 * Options for `NestFactory.create` and `createNestApplication` alike. Logs are buffered until
 * pino takes over; Nest's body parser is off because `useJsonBodyParsing` installs ours.
 */
export const APP_OPTIONS: NestApplicationOptions = { bufferLogs: true, bodyParser: false };

/** Everything main.ts does to the app before listening, shared with the e2e tests so that they test the same app. */
export function configureApp(app: INestApplication): INestApplication {
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  useJsonBodyParsing(app);
  app.useGlobalPipes(new RequestValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  setupOpenApi(app);
  return app;
}
