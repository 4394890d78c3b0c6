import * as crypto from 'node:crypto';

import { ApiKeys, presentedApiKey } from './api-keys';

// A spy around the real comparison, so that a test can count the comparisons.
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof crypto>('node:crypto');
  return { ...actual, timingSafeEqual: jest.fn() };
});
const { timingSafeEqual: realTimingSafeEqual } = jest.requireActual<typeof crypto>('node:crypto');

describe('ApiKeys', () => {
  const READER = 'first-key-0123456789';
  const ADMIN = 'second-key-0123456789';
  // Made in beforeAll, not when the file loads: a constructor that throws must fail the tests, not the file.
  let keys: ApiKeys;
  beforeAll(
    () =>
      (keys = new ApiKeys([
        { key: READER, scope: 'read' },
        { key: ADMIN, scope: 'admin' },
      ])),
  );
  beforeEach(() => {
    jest.resetAllMocks();
    jest.mocked(crypto.timingSafeEqual).mockImplementation(realTimingSafeEqual);
  });

  it("finds every configured key, with its scope and its fingerprint (its SHA-256's first 8 hex digits)", () => {
    expect(keys.find(READER)).toEqual({ scope: 'read', fingerprint: crypto.createHash('sha256').update(READER).digest('hex').slice(0, 8) });
    expect(keys.find(ADMIN)).toEqual({ scope: 'admin', fingerprint: 'cdc8bf85' });
  });

  it.each(['', 'first-key-012345678', 'first-key-01234567890', 'FIRST-KEY-0123456789', 'second-key-0123456789 '])(
    'finds no key for %p',
    (candidate) => {
      expect(keys.find(candidate)).toBeUndefined();
    },
  );

  it('finds nothing when no key is configured', () => {
    expect(new ApiKeys([]).find('anything-at-all-0123')).toBeUndefined();
  });

  // Stopping at the match would let the response time tell which key matched, and that a key is near the start of the list.
  it.each([READER, ADMIN, 'not-a-key-0123456789'])('compares %p with every configured key', (candidate) => {
    keys.find(candidate);

    expect(crypto.timingSafeEqual).toHaveBeenCalledTimes(2);
  });
});

describe('presentedApiKey', () => {
  it.each([
    [{ authorization: 'Bearer abc' }, 'abc'],
    [{ authorization: 'bearer   abc ' }, 'abc'],
    [{ 'x-api-key': ' abc ' }, 'abc'],
    [{ authorization: 'Bearer abc', 'x-api-key': 'other' }, 'abc'],
    [{ authorization: 'Basic dXNlcjpwdw==', 'x-api-key': 'abc' }, 'abc'],
  ])('finds the key in %p', (headers, key) => {
    expect(presentedApiKey(headers)).toBe(key);
  });

  it.each([
    {},
    { authorization: 'Basic dXNlcjpwdw==' },
    { authorization: 'Bearer' },
    { authorization: 'Bearer a b' },
    // The scheme is the header's first word: another scheme that ends in "Bearer" is not it.
    { authorization: 'NotBearer abc' },
    { 'x-api-key': '  ' },
  ])('finds none in %p', (headers) => {
    expect(presentedApiKey(headers)).toBeUndefined();
  });
});
