import { DeliveryOutcome, GatewayReceipt, IntermediateStatus, ReceiptStatus } from '../tracking/gateway-receipt';
import { badDate, unknownValue } from './gateway.errors';
import { errorCodeOf, GatewayFields, messageIdField, optionalField, requiredField } from './gateway-fields';

export const JASMIN = 'jasmin';
const NAME = 'Jasmin';

/** What Jasmin expects as the whole body of the answer; anything else, and it sends the report again. */
export const JASMIN_ACK = 'ACK/Jasmin';

/** Level 1 reports the SMSC's answer to the submit: an SMPP command status. */
const ACCEPTED_BY_SMSC = 'ESME_ROK';
const SMPP_STATUS = /^ESME_[A-Z0-9]+$/;

/** Levels 2 and 3 report the handset's delivery receipt, as the SMPP receipt's `stat` words it. */
const RECEIPT_STATUSES = new Map<string, ReceiptStatus>([
  ['DELIVRD', DeliveryOutcome.DELIVERED],
  ['EXPIRED', DeliveryOutcome.EXPIRED],
  ['UNDELIV', DeliveryOutcome.FAILED],
  ['DELETED', DeliveryOutcome.FAILED],
  ['REJECTD', DeliveryOutcome.REJECTED],
  ['UNKNOWN', DeliveryOutcome.UNKNOWN],
  ['ACCEPTD', IntermediateStatus.ACCEPTED],
  ['ENROUTE', IntermediateStatus.ENROUTE],
]);

const LEVELS = ['1', '2', '3'];

/**
 * One of Jasmin's DLRs (its `dlr-url`, as a query or a form) as a receipt. Level 1: `ESME_ROK`
 * is accepted, any other SMPP status is the SMSC's rejection, named in the error code. Levels 2
 * and 3: the receipt's `stat`, with `err` as the error code and `donedate` as when it was done.
 */
export function jasminReceipt(fields: GatewayFields): GatewayReceipt {
  const messageId = messageIdField(NAME, fields, 'id');
  const level = requiredField(NAME, fields, 'level');
  const messageStatus = requiredField(NAME, fields, 'message_status');
  if (!LEVELS.includes(level)) throw unknownValue(NAME, 'level', level, LEVELS);
  if (level === '1') return { gateway: JASMIN, messageId, ...submitResult(messageStatus), doneAt: null };
  const status = RECEIPT_STATUSES.get(messageStatus);
  if (status === undefined) throw unknownValue(NAME, 'message_status', messageStatus, [...RECEIPT_STATUSES.keys()]);
  const donedate = optionalField(NAME, fields, 'donedate');
  return {
    gateway: JASMIN,
    messageId,
    status,
    errorCode: errorCodeOf(optionalField(NAME, fields, 'err')),
    doneAt: donedate === undefined ? null : smppDate(donedate),
  };
}

function submitResult(messageStatus: string): Pick<GatewayReceipt, 'status' | 'errorCode'> {
  if (messageStatus === ACCEPTED_BY_SMSC) return { status: IntermediateStatus.ACCEPTED, errorCode: null };
  if (SMPP_STATUS.test(messageStatus)) return { status: DeliveryOutcome.REJECTED, errorCode: messageStatus };
  throw unknownValue(NAME, 'message_status', messageStatus, [ACCEPTED_BY_SMSC, 'another ESME_* status']);
}

/**
 * A delivery receipt's date, YYMMDDhhmm (SMPP 3.4, appendix B), read as UTC: the receipt names no
 * time zone. A date that does not exist (month 13, 31 April) is refused rather than rolled over.
 */
function smppDate(value: string): Date {
  const parts = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(value)?.slice(1).map(Number);
  const refused = badDate(NAME, 'donedate', value, 'YYMMDDhhmm');
  if (parts === undefined) throw refused;
  const [year, month, day, hour, minute] = parts;
  const date = new Date(Date.UTC(2000 + year, month - 1, day, hour, minute));
  const roundTrips =
    date.getUTCMonth() === month - 1 && date.getUTCDate() === day && date.getUTCHours() === hour && date.getUTCMinutes() === minute;
  if (!roundTrips) throw refused;
  return date;
}
