import { ApiKeyScope, scopeAllows, scopeNeededFor } from './api-key-scope';

describe('scopeNeededFor', () => {
  it.each([
    ['GET', 'read'],
    ['HEAD', 'read'],
    ['POST', 'write'],
    ['PUT', 'write'],
    ['DELETE', 'admin'],
    ['PATCH', 'admin'],
    ['OPTIONS', 'admin'],
  ])('asks a %s for %s', (method, scope) => {
    expect(scopeNeededFor(method)).toBe(scope);
  });
});

describe('scopeAllows', () => {
  // Each row: a granted scope and what it allows of read, write, admin.
  it.each<[ApiKeyScope, boolean[]]>([
    ['read', [true, false, false]],
    ['write', [true, true, false]],
    ['admin', [true, true, true]],
  ])('lets %s do what the narrower scopes do, and no more', (granted, allowed) => {
    expect((['read', 'write', 'admin'] as const).map((needed) => scopeAllows(granted, needed))).toEqual(allowed);
  });
});
