import { INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { SecurityConfig } from '../../core/config/app-config';
import { invalidApiKey, missingApiKey } from '../../core/errors/api-key.errors';
import { ApiKeys, presentedApiKey } from './api-keys';

/** Every route under this prefix needs a key when keys are configured; /health and the docs stay open. */
export const PROTECTED_PATH = '/tracking';

/**
 * With API keys configured, refuses requests to /tracking without a valid one (401). It runs as
 * middleware ahead of the body parser, rather than as a guard after it, so that a caller without
 * a key cannot make the service read and parse a 16 MiB body; and it covers every route under the
 * prefix, present and future, without a decorator that a new controller could forget.
 */
export function useApiKeyAuthentication(app: INestApplication, security: SecurityConfig): void {
  if (security.apiKeys.length === 0) return;
  const keys = new ApiKeys(security.apiKeys);
  app.use(PROTECTED_PATH, (req: Request, res: Response, next: NextFunction) => {
    const key = presentedApiKey(req.headers);
    if (key !== undefined && keys.accepts(key)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="TrackingDb"');
    next(key === undefined ? missingApiKey() : invalidApiKey());
  });
}
