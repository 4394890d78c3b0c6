import { ApiKeys, presentedApiKey } from './api-keys';

describe('ApiKeys', () => {
  // Made in beforeAll, not when the file loads: a constructor that throws must fail the tests, not the file.
  let keys: ApiKeys;
  beforeAll(() => (keys = new ApiKeys(['first-key-0123456789', 'second-key-0123456789'])));

  it('accepts every configured key', () => {
    expect(keys.accepts('first-key-0123456789')).toBe(true);
    expect(keys.accepts('second-key-0123456789')).toBe(true);
  });

  it.each(['', 'first-key-012345678', 'first-key-01234567890', 'FIRST-KEY-0123456789', 'second-key-0123456789 '])(
    'refuses %p',
    (candidate) => {
      expect(keys.accepts(candidate)).toBe(false);
    },
  );

  it('accepts nothing when no key is configured', () => {
    expect(new ApiKeys([]).accepts('anything-at-all-0123')).toBe(false);
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
