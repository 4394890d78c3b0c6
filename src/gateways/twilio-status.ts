import { DeliveryOutcome, GatewayReceipt, IntermediateStatus, ReceiptStatus } from '../tracking/gateway-receipt';
import { unknownValue } from './gateway.errors';
import { GatewayFields, messageIdField, optionalField, requiredField } from './gateway-fields';

export const TWILIO = 'twilio';
const NAME = 'Twilio';

/** The `MessageStatus` values of an outbound message's status callback. */
const STATUSES = new Map<string, ReceiptStatus>([
  ['queued', IntermediateStatus.QUEUED],
  ['scheduled', IntermediateStatus.QUEUED],
  ['accepted', IntermediateStatus.ACCEPTED],
  ['sending', IntermediateStatus.ENROUTE],
  ['sent', IntermediateStatus.SENT],
  ['delivered', DeliveryOutcome.DELIVERED],
  ['read', DeliveryOutcome.DELIVERED],
  ['undelivered', DeliveryOutcome.FAILED],
  ['failed', DeliveryOutcome.FAILED],
  ['canceled', DeliveryOutcome.FAILED],
]);

/** One of Twilio's status callbacks (its form fields) as a receipt; `ErrorCode` is Twilio's own (30003: unreachable handset). */
export function twilioReceipt(fields: GatewayFields): GatewayReceipt {
  const messageId = messageIdField(NAME, fields, 'MessageSid');
  const messageStatus = requiredField(NAME, fields, 'MessageStatus');
  const status = STATUSES.get(messageStatus);
  if (status === undefined) throw unknownValue(NAME, 'MessageStatus', messageStatus, [...STATUSES.keys()]);
  return { gateway: TWILIO, messageId, status, errorCode: optionalField(NAME, fields, 'ErrorCode') ?? null, doneAt: null };
}
