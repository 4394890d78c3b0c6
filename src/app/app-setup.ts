import { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { Request } from 'express';
import { Logger } from 'nestjs-pino';

import { AppConfig } from '../core/config/app-config';
import { HttpExceptionFilter } from '../core/errors/http-exception.filter';
import { apiKeyFingerprintOf } from '../core/http/api-key-fingerprint';
import { BodyBudget } from '../core/http/body-budget';
import { useJsonBodyParsing } from '../core/http/body-parsing';
import { RouteSet, routesWithBodyParameter, routesWithFormBody, routesWithRawJsonBody } from '../core/http/body-routes';
import { useFormBodyParsing } from '../core/http/form-body-parsing';
import { useLingeringClose } from '../core/http/lingering-close';
import { RequestsInFlight, useRequestsInFlight } from '../core/http/requests-in-flight';
import { routesWithOwnAuthentication } from '../core/http/route-authentication';
import { useServerTimeouts } from '../core/http/server-timeouts';
import { shareOfOneClient, useUploadAdmission } from '../core/http/upload-admission';
import { Metrics } from '../core/metrics/metrics';
import { useRequestMetrics } from '../core/metrics/request-metrics';
import { RequestValidationPipe } from '../core/validation/request-validation.pipe';
import { setupOpenApi } from './openapi/openapi';
import { useApiKeyAuthentication } from './security/api-key-authentication';
import { useHttpSecurity } from './security/http-security';
import { useLoopbackHostCheck } from './security/loopback-host';

/**
 * Options for `NestFactory.create` and `createNestApplication` alike. Logs are buffered until
 * pino takes over; Nest's body parser is off because `useJsonBodyParsing` installs ours; a
 * failure at start-up is thrown to main.ts, which says what went wrong, instead of Nest exiting
 * with its own dump.
 */
export const APP_OPTIONS: NestApplicationOptions = { bufferLogs: true, bodyParser: false, abortOnError: false };

/**
 * Who sent a request, for the body budget's share of one client: the API key it was let in with
 * (authentication runs before the admission), else its address (keyless mode, loopback only).
 */
const clientOf = (req: Request): string => {
  const fingerprint = apiKeyFingerprintOf(req);
  return fingerprint === undefined ? `address ${req.socket.remoteAddress ?? ''}` : `key ${fingerprint}`;
};

/**
 * Everything createService() does to the app before listening, shared with the e2e tests so that they test
 * the same app. Order matters: every answer given before its request's body has arrived closes the
 * connection lingering; without API keys a request addressed to another host is refused before
 * anything else reads it; security headers and CORS answer every request, preflights included;
 * authentication comes before the body parser, so that no body is read for a caller without a
 * key (a route authenticated by a signature of its body checks it once its small form is read); then a body must find room in the in-flight budget before it is read, and only the routes
 * that take a body read one.
 */
export function configureApp(app: INestApplication): INestApplication {
  const { security, http, metricsEnabled } = app.get(AppConfig);
  const metrics = app.get(Metrics);
  app.useLogger(app.get(Logger));
  // From their arrival, before anything may answer: the upload asks whether it would keep others waiting.
  useRequestsInFlight(app);
  useLingeringClose(app);
  // Hears of every answer's end from the count above, so that answers given before routing (401, 503 busy) are counted too.
  if (metricsEnabled) useRequestMetrics(app.get(RequestsInFlight), metrics);
  // Before anything reads the request: without keys, a request for another host is refused on every route.
  useLoopbackHostCheck(app, security);
  useServerTimeouts(app, http);
  useHttpSecurity(app, security);
  useApiKeyAuthentication(app, security, routesWithOwnAuthentication(app));
  const budget = new BodyBudget(http.maxInflightBodyBytes, shareOfOneClient(http.maxInflightBodyBytes));
  metrics.watchBodyBudget(budget);
  const bodyRoutes = new RouteSet(routesWithBodyParameter(app));
  const admission = useUploadAdmission(app, {
    budget,
    waitMs: http.uploadWaitMs,
    minBodyBytesPerSecond: http.minBodyBytesPerSecond,
    clientOf,
    bodyRoutes,
  });
  // A form route's body is a form or nothing: the JSON parser leaves it alone.
  const formRoutes = new RouteSet(routesWithFormBody(app));
  useJsonBodyParsing(app, {
    bodyRoutes: bodyRoutes.without(formRoutes),
    rawJsonRoutes: routesWithRawJsonBody(app),
    meterInflated: admission.meterInflated,
  });
  useFormBodyParsing(app, formRoutes);
  app.useGlobalPipes(new RequestValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  setupOpenApi(app);
  return app;
}
