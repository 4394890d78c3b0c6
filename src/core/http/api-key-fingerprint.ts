import { createHash } from 'node:crypto';
import { IncomingMessage } from 'node:http';

/**
 * Hex digits of a key's SHA-256 that name it where the key itself must never appear (the logs):
 * enough to tell a deployment's keys apart, far too few to tell anything about the key.
 */
export const API_KEY_FINGERPRINT_DIGITS = 8;

const fingerprints = new WeakMap<IncomingMessage, string>();

/** The name of a key in the logs: `printf %s "$KEY" | sha256sum | cut -c1-8` gives the same. */
export function apiKeyFingerprint(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, API_KEY_FINGERPRINT_DIGITS);
}

/** Called by the API-key authentication once it has accepted the key a request carries. */
export function rememberApiKeyFingerprint(req: IncomingMessage, fingerprint: string): void {
  fingerprints.set(req, fingerprint);
}

/**
 * The fingerprint of the API key an authenticated request used; undefined when it used none
 * (no API_KEYS, a route outside /tracking) or has not been authenticated yet. It tells the
 * clients of one service apart without holding their keys.
 */
export function apiKeyFingerprintOf(req: IncomingMessage): string | undefined {
  return fingerprints.get(req);
}
