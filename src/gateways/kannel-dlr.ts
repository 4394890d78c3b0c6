import { DeliveryOutcome, GatewayReceipt, IntermediateStatus, ReceiptStatus } from '../tracking/gateway-receipt';
import { unknownValue } from './gateway.errors';
import { errorCodeOf, GatewayFields, messageIdField, optionalField, requiredField } from './gateway-fields';

export const KANNEL = 'kannel';
const NAME = 'Kannel';

/** Kannel's DLR types, the `%d` of its `dlr-url` (one bit of `dlr-mask` each). */
const TYPES = new Map<string, ReceiptStatus>([
  ['1', DeliveryOutcome.DELIVERED],
  ['2', DeliveryOutcome.FAILED],
  ['4', IntermediateStatus.BUFFERED],
  ['8', IntermediateStatus.ACCEPTED],
  ['16', DeliveryOutcome.REJECTED],
]);

/** One of Kannel's DLRs (`dlr-url` with `id=%F&type=%d&err=…`) as a receipt. */
export function kannelReceipt(fields: GatewayFields): GatewayReceipt {
  const messageId = messageIdField(NAME, fields, 'id');
  const type = requiredField(NAME, fields, 'type');
  const status = TYPES.get(type);
  if (status === undefined) throw unknownValue(NAME, 'type', type, [...TYPES.keys()]);
  return { gateway: KANNEL, messageId, status, errorCode: errorCodeOf(optionalField(NAME, fields, 'err')), doneAt: null };
}
