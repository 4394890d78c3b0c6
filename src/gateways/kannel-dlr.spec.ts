import { DomainError } from '../core/errors/domain-error';
import { GatewayFields } from './gateway-fields';
import { kannelReceipt } from './kannel-dlr';
import fixtures from './kannel-dlr.json';

function refusal(fields: GatewayFields): DomainError {
  try {
    kannelReceipt(fields);
  } catch (error) {
    return error as DomainError;
  }
  throw new Error('the report was accepted');
}

describe('kannelReceipt', () => {
  it.each(fixtures.types)('reads type $name', ({ fields, status, errorCode }) => {
    expect(kannelReceipt(fields)).toEqual({ gateway: 'kannel', messageId: '0a1f3c2b', status, errorCode, doneAt: null });
  });

  it.each([
    [{ type: '1' }, 'Kannel report without `id`'],
    [{ id: '0a1f3c2b' }, 'Kannel report without `type`'],
    [{ id: '0a1f3c2b', type: '%d' }, "Kannel report's `type` '%d' is none of 1, 2, 4, 8, 16"],
    [{ id: '0a1f3c2b', type: 'constructor' }, "Kannel report's `type` 'constructor' is none of 1, 2, 4, 8, 16"],
    [{ id: '0a1f3c2b', type: '3' }, "Kannel report's `type` '3' is none of 1, 2, 4, 8, 16"],
    [{ id: 'x'.repeat(65), type: '1' }, "Kannel report's `id` is longer than 64 characters"],
  ])('refuses %j: %s', (fields, detail) => {
    expect(refusal(fields)).toEqual(new DomainError('refused', detail));
  });
});
