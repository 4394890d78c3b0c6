import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

import { GatewayFields } from './gateway-fields';

/**
 * Twilio's request signature: the base64 HMAC-SHA1, keyed with the account's auth token, of the
 * full URL Twilio called followed by every POST field's name and value, sorted by name
 * (case-sensitively, as Unix sorts), a field given twice once per value.
 */
export function twilioSignature(authToken: string, url: string, fields: GatewayFields): string {
  const signed = Object.keys(fields)
    .sort()
    .flatMap((name) => {
      const value = fields[name];
      const values = value === undefined ? [] : Array.isArray(value) ? [...value].sort() : [value];
      return values.map((each) => `${name}${each}`);
    });
  return createHmac('sha1', authToken)
    .update(url + signed.join(''), 'utf8')
    .digest('base64');
}

/** Whether `presented` is the request's signature, compared in constant time (as digests, so that its length shows neither). */
export function isTwilioSignature(presented: string, authToken: string, url: string, fields: GatewayFields): boolean {
  return timingSafeEqual(digest(presented), digest(twilioSignature(authToken, url, fields)));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
