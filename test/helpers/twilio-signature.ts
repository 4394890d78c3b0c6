import { createHmac } from 'node:crypto';

/**
 * Twilio's signature, written here apart from the service's: HMAC-SHA1, keyed with the auth token,
 * of the URL and each field's name and value in the order of their names, base64.
 */
export function twilioSigned(token: string, url: string, fields: Record<string, string>): string {
  let text = url;
  for (const name of Object.keys(fields).sort()) text += name + fields[name];
  return createHmac('sha1', token).update(text).digest('base64');
}
