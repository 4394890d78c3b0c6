import { DomainError } from '../core/errors/domain-error';
import { GatewayFields } from './gateway-fields';
import { jasminReceipt } from './jasmin-dlr';
import fixtures from './jasmin-dlr.json';

const ID = '16fd2706-8baf-433b-82eb-8c7fada847da';
const LEVEL_2 = fixtures.reports[2].fields;

/** The receipt as the fixtures write it: dates as ISO text. */
function asWritten(fields: GatewayFields) {
  const { doneAt, ...receipt } = jasminReceipt(fields);
  return { ...receipt, doneAt: doneAt?.toISOString() ?? null };
}

function refusal(fields: GatewayFields): DomainError {
  try {
    jasminReceipt(fields);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the report was accepted');
}

describe('jasminReceipt', () => {
  it.each(fixtures.reports)('reads a DLR of its documentation ($name)', ({ fields, receipt }) => {
    expect(asWritten(fields)).toEqual(receipt);
  });

  it.each(Object.entries(fixtures.statuses))('reads %s at levels 2 and 3 as %s', (messageStatus, status) => {
    expect(jasminReceipt({ ...LEVEL_2, message_status: messageStatus }).status).toBe(status);
    expect(jasminReceipt({ ...LEVEL_2, message_status: messageStatus, level: '3' }).status).toBe(status);
  });

  it('takes a level-2 report without its optional fields', () => {
    expect(jasminReceipt({ id: ID, message_status: 'EXPIRED', level: '2' })).toEqual({
      gateway: 'jasmin',
      messageId: ID,
      status: 'expired',
      errorCode: null,
      doneAt: null,
    });
  });

  it.each([
    [{ message_status: 'DELIVRD', level: '2' }, 'Jasmin report without `id`'],
    [{ id: '', message_status: 'DELIVRD', level: '2' }, 'Jasmin report without `id`'],
    [{ id: ID, level: '2' }, 'Jasmin report without `message_status`'],
    [{ id: ID, message_status: 'DELIVRD' }, 'Jasmin report without `level`'],
    [{ id: [ID, ID], message_status: 'DELIVRD', level: '2' }, 'Jasmin report with `id` more than once'],
    [{ id: 'x'.repeat(65), message_status: 'DELIVRD', level: '2' }, "Jasmin report's `id` is longer than 64 characters"],
    [{ id: ID, message_status: 'DELIVRD', level: '4' }, "Jasmin report's `level` '4' is none of 1, 2, 3"],
    [
      { id: ID, message_status: 'DELIVERED', level: '2' },
      "Jasmin report's `message_status` 'DELIVERED' is none of DELIVRD, EXPIRED, UNDELIV, DELETED, REJECTD, UNKNOWN, ACCEPTD, ENROUTE",
    ],
    // A name every object has is no status either.
    [
      { id: ID, message_status: '__proto__', level: '2' },
      "Jasmin report's `message_status` '__proto__' is none of DELIVRD, EXPIRED, UNDELIV, DELETED, REJECTD, UNKNOWN, ACCEPTD, ENROUTE",
    ],
    [
      { id: ID, message_status: 'DELIVRD', level: '1' },
      "Jasmin report's `message_status` 'DELIVRD' is none of ESME_ROK, another ESME_* status",
    ],
    [{ ...LEVEL_2, donedate: '24101708590' }, "Jasmin report's `donedate` '24101708590' is not a date as YYMMDDhhmm"],
    [{ ...LEVEL_2, donedate: '2024-10-17' }, "Jasmin report's `donedate` '2024-10-17' is not a date as YYMMDDhhmm"],
    [{ ...LEVEL_2, donedate: '2413170859' }, "Jasmin report's `donedate` '2413170859' is not a date as YYMMDDhhmm"],
    [{ ...LEVEL_2, donedate: '2404310859' }, "Jasmin report's `donedate` '2404310859' is not a date as YYMMDDhhmm"],
    [{ ...LEVEL_2, donedate: '2410172460' }, "Jasmin report's `donedate` '2410172460' is not a date as YYMMDDhhmm"],
  ])('refuses %j: %s', (fields, detail) => {
    expect(refusal(fields)).toEqual(new DomainError('refused', detail));
    expect(refusal(fields).kind).toBe('refused');
  });

  it('takes a 64-character id', () => {
    expect(jasminReceipt({ ...LEVEL_2, id: 'x'.repeat(64) }).messageId).toBe('x'.repeat(64));
  });
});
