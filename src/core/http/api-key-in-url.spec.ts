import { redactApiKeyInUrl } from './api-key-in-url';

describe('redactApiKeyInUrl', () => {
  it.each([
    ['/tracking/gateways/jasmin/dlr?id=1&key=3f9c2a7e5b1d4c8f&level=2', '/tracking/gateways/jasmin/dlr?id=1&key=[redacted]&level=2'],
    ['/tracking/gateways/kannel/dlr?key=3f9c2a7e5b1d4c8f', '/tracking/gateways/kannel/dlr?key=[redacted]'],
    ['/a?key=one&key=two', '/a?key=[redacted]&key=[redacted]'],
    ['/a?k%65y=3f9c2a7e5b1d4c8f&id=%F0', '/a?k%65y=[redacted]&id=%F0'],
    ['/a?key', '/a?key=[redacted]'],
    ['/a?keys=1&monkey=2&key_=3', '/a?keys=1&monkey=2&key_=3'],
    ['/tracking/sms_transfers', '/tracking/sms_transfers'],
    ['/a?id=%zz&key=x', '/a?id=%zz&key=[redacted]'],
  ])('%s is logged as %s', (url, logged) => {
    expect(redactApiKeyInUrl(url)).toBe(logged);
  });
});
