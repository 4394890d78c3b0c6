import { messageIdTooLong, missingField, repeatedField } from './gateway.errors';

/** A gateway's message id is 1 to 64 characters (GatewayReceipt.messageId). */
export const MAX_MESSAGE_ID_LENGTH = 64;

/** A gateway's request fields, from its query string or its form body: a name given twice is a list. */
export type GatewayFields = Record<string, string | string[] | undefined>;

/** A field's value, or undefined when it is absent or empty (gateways send `err=` for no error). */
export function optionalField(gateway: string, fields: GatewayFields, name: string): string | undefined {
  const value = fields[name];
  if (Array.isArray(value)) throw repeatedField(gateway, name);
  return value === undefined || value === '' ? undefined : value;
}

export function requiredField(gateway: string, fields: GatewayFields, name: string): string {
  const value = optionalField(gateway, fields, name);
  if (value === undefined) throw missingField(gateway, name);
  return value;
}

/** The gateway's id of the message, 1 to MAX_MESSAGE_ID_LENGTH characters. */
export function messageIdField(gateway: string, fields: GatewayFields, name: string): string {
  const value = requiredField(gateway, fields, name);
  if (value.length > MAX_MESSAGE_ID_LENGTH) throw messageIdTooLong(gateway, name, MAX_MESSAGE_ID_LENGTH);
  return value;
}

/**
 * An SMPP error code as a gateway passes it on (`err=000`, `err=0x00000045`), or null: zero is
 * SMPP's "no error", which every delivered message carries and no summary should count.
 */
export function errorCodeOf(value: string | undefined): string | null {
  if (value === undefined || /^(0x)?0+$/i.test(value)) return null;
  return value;
}
