import { INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { scopeAllows, scopeNeededFor } from '../../core/config/api-key-scope';
import { SecurityConfig } from '../../core/config/app-config';
import { rememberApiKeyFingerprint } from '../../core/http/api-key-fingerprint';
import { apiKeyScopeTooNarrow, invalidApiKey, missingApiKey } from './api-key.errors';
import { ApiKeys, presentedApiKey } from './api-keys';

/** Every route under this prefix needs a key when keys are configured; /health and the docs stay open. */
export const PROTECTED_PATH = '/tracking';

const CHALLENGE = 'Bearer realm="TrackingDb"';

/**
 * With API keys configured, refuses requests to /tracking without a valid one (401), and those
 * whose method the key's scope does not allow (403). It runs as middleware ahead of the body
 * parser, rather than as a guard after it, so that a caller without a key cannot make the service
 * read and parse a 16 MiB body; and it covers every route under the prefix, present and future,
 * without a decorator that a new controller could forget. An accepted key's fingerprint stays
 * with the request (apiKeyFingerprintOf), for the logs.
 */
export function useApiKeyAuthentication(app: INestApplication, security: SecurityConfig): void {
  if (security.apiKeys.length === 0) return;
  const keys = new ApiKeys(security.apiKeys);
  app.use(PROTECTED_PATH, (req: Request, res: Response, next: NextFunction) => {
    const presented = presentedApiKey(req.headers);
    const key = presented === undefined ? undefined : keys.find(presented);
    if (key === undefined) {
      res.setHeader('WWW-Authenticate', CHALLENGE);
      return next(presented === undefined ? missingApiKey() : invalidApiKey());
    }
    rememberApiKeyFingerprint(req, key.fingerprint);
    const needed = scopeNeededFor(req.method);
    if (scopeAllows(key.scope, needed)) return next();
    // RFC 6750's answer to a token whose scope is too narrow.
    res.setHeader('WWW-Authenticate', `${CHALLENGE}, error="insufficient_scope", scope="${needed}"`);
    next(apiKeyScopeTooNarrow(req.method, needed, key.scope));
  });
}
