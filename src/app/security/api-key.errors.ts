import { ForbiddenException, UnauthorizedException } from '@nestjs/common';

import { ApiKeyScope } from '../../core/config/api-key-scope';

/** A /tracking request without a key, while the service runs with API_KEYS. */
export function missingApiKey(): UnauthorizedException {
  return new UnauthorizedException({ detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"' });
}

/** A request without a key to a route that also takes it in the URL (a gateway's callback). */
export function missingApiKeyInUrl(): UnauthorizedException {
  return new UnauthorizedException({
    detail:
      'Missing API key: send it as "Authorization: Bearer <key>", as "X-API-Key: <key>", as the password of HTTP basic auth (any user name) or as the `key` query parameter',
  });
}

/** A /tracking request with a key that is none of API_KEYS. */
export function invalidApiKey(): UnauthorizedException {
  return new UnauthorizedException({ detail: 'Invalid API key' });
}

/** A /tracking request with a valid key whose scope does not allow its method; names the scopes, never the key. */
export function apiKeyScopeTooNarrow(method: string, needed: ApiKeyScope, granted: ApiKeyScope): ForbiddenException {
  return new ForbiddenException({
    detail: `Insufficient API key scope: ${method} under /tracking needs a key with the '${needed}' scope; this key has '${granted}'`,
  });
}

/** A gateway's callback with a valid key whose scope does not allow reporting (every method of the route needs `needed`). */
export function apiKeyScopeTooNarrowForRoute(path: string, needed: ApiKeyScope, granted: ApiKeyScope): ForbiddenException {
  return new ForbiddenException({
    detail: `Insufficient API key scope: ${path} needs a key with the '${needed}' scope whatever the method; this key has '${granted}'`,
  });
}
