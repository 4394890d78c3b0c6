import { execFileSync } from 'node:child_process';

import { isTwilioSignature, twilioSignature } from './twilio-signature';
import fixtures from './twilio-status.json';

/** The example of Twilio's documentation on validating requests (TwilioDevEd/api-snippets, security/signature_validation). */
const DOCUMENTED = {
  authToken: '12345',
  url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
  fields: { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' },
  signature: 'GvWf1cFY/Q7PnoempGyD5oXAezc=',
};

/** The signature by another implementation than the service's: OpenSSL's HMAC over the text the rule describes. */
function opensslSignature(authToken: string, text: string): string {
  return execFileSync('sh', ['-c', 'openssl dgst -sha1 -hmac "$KEY" -binary | base64'], {
    input: text,
    env: { ...process.env, KEY: authToken },
  })
    .toString()
    .trim();
}

describe('twilioSignature', () => {
  it("gives the signature of Twilio's documented example", () => {
    expect(twilioSignature(DOCUMENTED.authToken, DOCUMENTED.url, DOCUMENTED.fields)).toBe(DOCUMENTED.signature);
  });

  it.each(fixtures.callbacks)('gives what OpenSSL gives for a status callback ($name): the URL, then each field by name', ({ fields }) => {
    const url = 'https://tracking.example.com/tracking/gateways/twilio/status';
    const sorted = Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1));
    const text = url + sorted.map(([name, value]) => name + value).join('');

    expect(twilioSignature('f3a9c2e17b5d4c8e9a1f2b3c4d5e6f7a', url, fields)).toBe(
      opensslSignature('f3a9c2e17b5d4c8e9a1f2b3c4d5e6f7a', text),
    );
  });

  it('sorts names case-sensitively and signs a repeated field once per value, values sorted', () => {
    const text = 'https://x.example/a' + 'Zeta1' + 'aa2' + 'aa3' + 'b4';

    expect(twilioSignature('token', 'https://x.example/a', { b: '4', aa: ['3', '2'], Zeta: '1' })).toBe(opensslSignature('token', text));
  });
});

describe('isTwilioSignature', () => {
  const { authToken, url, fields, signature } = DOCUMENTED;

  it('accepts the right signature', () => {
    expect(isTwilioSignature(signature, authToken, url, fields)).toBe(true);
  });

  it.each([
    ['another token', signature, 'another', url, fields],
    ['another URL', signature, authToken, 'http://mycompany.com/myapp.php?foo=1&bar=2', fields],
    ['another field value', signature, authToken, url, { ...fields, Digits: '1235' }],
    ['a field more', signature, authToken, url, { ...fields, MessageStatus: 'delivered' }],
    ['a signature cut short', signature.slice(0, -1), authToken, url, fields],
    ['an empty signature', '', authToken, url, fields],
  ])('refuses %s', (_case, presented, token, requestUrl, requestFields) => {
    expect(isTwilioSignature(presented, token, requestUrl, requestFields)).toBe(false);
  });
});
