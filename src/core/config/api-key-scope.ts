/** What an API key may do under /tracking, narrowest first: each scope allows what the ones before it allow. */
export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A key of API_KEYS and what it may do; `key` without `:scope` is `admin`, as every key was before scopes. */
export interface ApiKeyGrant {
  key: string;
  scope: ApiKeyScope;
}

/**
 * The narrowest scope that allows a request with this method under /tracking: reading needs
 * `read`, creating and changing `write`, anything else (DELETE, the purge) `admin`. A method not
 * named here is an admin's, so that nothing new is open to a narrower key by default.
 */
export function scopeNeededFor(method: string): ApiKeyScope {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return 'read';
    case 'POST':
    case 'PUT':
      return 'write';
    default:
      return 'admin';
  }
}

/** Whether a key with the scope `granted` may do what needs `needed`. */
export function scopeAllows(granted: ApiKeyScope, needed: ApiKeyScope): boolean {
  return API_KEY_SCOPES.indexOf(granted) >= API_KEY_SCOPES.indexOf(needed);
}
