import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';

import { ApiKeyGrant, ApiKeyScope } from '../../core/config/api-key-scope';
import { apiKeyFingerprint } from '../../core/http/api-key-fingerprint';
import { API_KEY_QUERY_PARAMETER } from '../../core/http/api-key-in-url';

export const API_KEY_HEADER = 'x-api-key';
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;

/** A configured key that a request presented: what it may do, and its name in the logs. */
export interface AcceptedApiKey {
  scope: ApiKeyScope;
  fingerprint: string;
}

/**
 * Finds a presented key among the configured ones in constant time. Keys are compared as SHA-256
 * digests: equal lengths for `timingSafeEqual`, so neither a key's content nor its length shows in
 * the response time; and every key is compared, so neither does which one matched.
 */
export class ApiKeys {
  private readonly keys: { digest: Buffer; accepted: AcceptedApiKey }[];

  constructor(grants: readonly ApiKeyGrant[]) {
    this.keys = grants.map(({ key, scope }) => ({ digest: digest(key), accepted: { scope, fingerprint: apiKeyFingerprint(key) } }));
  }

  /** The configured key `candidate` is, or undefined. */
  find(candidate: string): AcceptedApiKey | undefined {
    const presented = digest(candidate);
    let found: AcceptedApiKey | undefined;
    for (const key of this.keys) {
      if (timingSafeEqual(presented, key.digest)) found = key.accepted;
    }
    return found;
  }
}

/** The key a client sent: `Authorization: Bearer <key>`, else `X-API-Key: <key>`; undefined when neither. */
export function presentedApiKey(headers: IncomingHttpHeaders): string | undefined {
  const bearer = headers.authorization?.match(BEARER)?.[1];
  if (bearer !== undefined) return bearer;
  const header = headers[API_KEY_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value?.trim() || undefined;
}

/**
 * The key of a caller that can only be given a URL: the headers' key, else the password of HTTP
 * basic auth (any user name: gateways want one), else the `key` query parameter; undefined when none.
 */
export function presentedApiKeyInUrl(headers: IncomingHttpHeaders, url: string): string | undefined {
  const basic = headers.authorization?.match(BASIC)?.[1];
  const password = basic === undefined ? undefined : basicAuthPassword(basic);
  const query = url.indexOf('?');
  const parameter = query === -1 ? null : new URLSearchParams(url.slice(query + 1)).get(API_KEY_QUERY_PARAMETER);
  return presentedApiKey(headers) ?? password ?? (parameter || undefined);
}

/** What follows the first colon of `user:password`; a password may hold colons, a user name may not (RFC 7617). */
function basicAuthPassword(credentials: string): string | undefined {
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1) || undefined;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
