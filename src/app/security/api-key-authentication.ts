import { INestApplication } from '@nestjs/common';
import { NextFunction, Request, Response } from 'express';

import { scopeAllows, scopeNeededFor } from '../../core/config/api-key-scope';
import { SecurityConfig } from '../../core/config/app-config';
import { rememberApiKeyFingerprint } from '../../core/http/api-key-fingerprint';
import { HttpRoute, RouteSet } from '../../core/http/body-routes';
import { RouteAuthentication } from '../../core/http/route-authentication';
import { apiKeyScopeTooNarrow, apiKeyScopeTooNarrowForRoute, invalidApiKey, missingApiKey, missingApiKeyInUrl } from './api-key.errors';
import { ApiKeys, presentedApiKey, presentedApiKeyInUrl } from './api-keys';

/** Every route under this prefix needs a key when keys are configured; /health and the docs stay open. */
export const PROTECTED_PATH = '/tracking';

const CHALLENGE = 'Bearer realm="TrackingDb"';

/** The routes that say how they are authenticated (routesWithOwnAuthentication()), each with its way. */
export type OwnAuthentications = { route: HttpRoute; authentication: RouteAuthentication }[];

/**
 * With API keys configured, refuses requests to /tracking without a valid one (401), and those
 * whose method the key's scope does not allow (403). It runs as middleware ahead of the body
 * parser, rather than as a guard after it, so that a caller without a key cannot make the service
 * read and parse a 16 MiB body; and it covers every route under the prefix, present and future,
 * without a decorator that a new controller could forget. An accepted key's fingerprint stays
 * with the request (apiKeyFingerprintOf), for the logs.
 *
 * A route may declare another way (`ownAuthentications`): one checked by a signature is left to its
 * guard; one whose callers can only be given a URL also takes the key as HTTP basic auth or a
 * `key` query parameter, and needs its declared scope whatever the method.
 */
export function useApiKeyAuthentication(
  app: INestApplication,
  security: SecurityConfig,
  ownAuthentications: OwnAuthentications = [],
): void {
  if (security.apiKeys.length === 0) return;
  const keys = new ApiKeys(security.apiKeys);
  const routes = ownAuthentications.map((own) => ({ ...own, matches: new RouteSet([own.route]) }));
  app.use(PROTECTED_PATH, (req: Request, res: Response, next: NextFunction) => {
    // Mounted on the prefix, Express hands the middleware the path below it.
    const matched = routes.find(({ matches }) => matches.has({ method: req.method, path: `${req.baseUrl}${req.path}` }));
    const own = matched?.authentication;
    if (own?.by === 'signature') return next();
    const inUrl = own?.by === 'api-key-in-url';
    const presented = inUrl ? presentedApiKeyInUrl(req.headers, req.originalUrl) : presentedApiKey(req.headers);
    const key = presented === undefined ? undefined : keys.find(presented);
    if (key === undefined) {
      res.setHeader('WWW-Authenticate', CHALLENGE);
      if (presented !== undefined) return next(invalidApiKey());
      return next(inUrl ? missingApiKeyInUrl() : missingApiKey());
    }
    rememberApiKeyFingerprint(req, key.fingerprint);
    const needed = inUrl ? own.scope : scopeNeededFor(req.method);
    if (scopeAllows(key.scope, needed)) return next();
    // RFC 6750's answer to a token whose scope is too narrow.
    res.setHeader('WWW-Authenticate', `${CHALLENGE}, error="insufficient_scope", scope="${needed}"`);
    next(
      inUrl ? apiKeyScopeTooNarrowForRoute(matched!.route.path, needed, key.scope) : apiKeyScopeTooNarrow(req.method, needed, key.scope),
    );
  });
}
