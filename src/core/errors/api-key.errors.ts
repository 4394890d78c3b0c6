import { UnauthorizedException } from '@nestjs/common';

/** A /tracking request without a key, while the service runs with API_KEYS. */
export function missingApiKey(): UnauthorizedException {
  return new UnauthorizedException({ detail: 'Missing API key: send it as "Authorization: Bearer <key>" or as "X-API-Key: <key>"' });
}

/** A /tracking request with a key that is none of API_KEYS. */
export function invalidApiKey(): UnauthorizedException {
  return new UnauthorizedException({ detail: 'Invalid API key' });
}
