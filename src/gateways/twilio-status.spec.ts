import { DomainError } from '../core/errors/domain-error';
import { GatewayFields } from './gateway-fields';
import { twilioReceipt } from './twilio-status';
import fixtures from './twilio-status.json';

const DELIVERED = fixtures.callbacks[0].fields;

function refusal(fields: GatewayFields): DomainError {
  try {
    twilioReceipt(fields);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the callback was accepted');
}

describe('twilioReceipt', () => {
  it.each(fixtures.callbacks)('reads a status callback of its documentation ($name)', ({ fields, receipt }) => {
    expect(twilioReceipt(fields)).toEqual(receipt);
  });

  it.each(Object.entries(fixtures.statuses))('reads MessageStatus %s as %s', (messageStatus, status) => {
    expect(twilioReceipt({ ...DELIVERED, MessageStatus: messageStatus }).status).toBe(status);
  });

  it.each([
    [{ MessageStatus: 'sent' }, 'Twilio report without `MessageSid`'],
    [{ MessageSid: 'SM1', ErrorCode: '30003' }, 'Twilio report without `MessageStatus`'],
    [
      { MessageSid: 'SM1', MessageStatus: 'received' },
      "Twilio report's `MessageStatus` 'received' is none of queued, scheduled, accepted, sending, sent, delivered, read, undelivered, failed, canceled",
    ],
    // A name every object has is no status either (found by the hostile-input property test: it answered 500).
    [
      { MessageSid: 'SM1', MessageStatus: '__proto__' },
      "Twilio report's `MessageStatus` '__proto__' is none of queued, scheduled, accepted, sending, sent, delivered, read, undelivered, failed, canceled",
    ],
  ])('refuses %j: %s', (fields, detail) => {
    expect(refusal(fields)).toEqual(new DomainError('refused', detail));
  });
});
