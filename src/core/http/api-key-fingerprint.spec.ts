import { createHash } from 'node:crypto';
import { IncomingMessage } from 'node:http';

import { apiKeyFingerprint, apiKeyFingerprintOf, rememberApiKeyFingerprint } from './api-key-fingerprint';

describe('apiKeyFingerprint', () => {
  it("is the first 8 hex digits of the key's SHA-256, as sha256sum prints them", () => {
    expect(apiKeyFingerprint('3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e')).toBe(
      createHash('sha256').update('3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e').digest('hex').slice(0, 8),
    );
    expect(apiKeyFingerprint('3f9c2a7e5b1d4c8f9a6e2b7d1c5f8a3e')).toMatch(/^[0-9a-f]{8}$/);
  });
});

describe('apiKeyFingerprintOf', () => {
  it('gives the fingerprint remembered for a request, and none for a request without one', () => {
    const [first, second, third] = [{}, {}, {}] as IncomingMessage[];

    rememberApiKeyFingerprint(first, 'aaaaaaaa');
    rememberApiKeyFingerprint(second, 'bbbbbbbb');

    expect([first, second, third].map(apiKeyFingerprintOf)).toEqual(['aaaaaaaa', 'bbbbbbbb', undefined]);
  });
});
