import { INestApplication } from '@nestjs/common';
import helmet from 'helmet';

import { SecurityConfig } from '../../core/config/app-config';
import { REQUEST_ID_HEADER } from '../../core/logging/pino-options';
import { API_KEY_HEADER } from './api-keys';

/**
 * helmet's security headers on every answer, and CORS only for the origins in CORS_ORIGINS.
 * Without CORS headers a browser page from another origin cannot read the API's answers;
 * non-browser clients are not affected either way.
 */
export function useHttpSecurity(app: INestApplication, security: SecurityConfig): void {
  app.use(
    helmet({
      // The service is often reached over plain HTTP inside a network; upgrading the Swagger UI's
      // requests to HTTPS there would break it.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  if (security.corsOrigins.length > 0) {
    app.enableCors({
      origin: security.corsOrigins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ['Authorization', 'Content-Type', API_KEY_HEADER, REQUEST_ID_HEADER],
      exposedHeaders: [REQUEST_ID_HEADER, 'X-Total-Count'],
      maxAge: 600,
    });
  }
}
