import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';

export const API_KEY_HEADER = 'x-api-key';
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Checks a presented key against every configured key in constant time. Keys are compared as
 * SHA-256 digests: equal lengths for `timingSafeEqual`, so neither a key's content nor its length
 * shows in the response time; and every key is compared, so neither does which one matched.
 */
export class ApiKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  accepts(candidate: string): boolean {
    const presented = digest(candidate);
    let matched = false;
    for (const key of this.digests) {
      matched = timingSafeEqual(presented, key) || matched;
    }
    return matched;
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

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
