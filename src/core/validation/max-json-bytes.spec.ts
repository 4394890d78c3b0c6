import fc from 'fast-check';

import { fitsInJsonBytes } from './max-json-bytes';

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('fitsInJsonBytes', () => {
  it.each([{}, { text: 'é' }, { text: '\u0000' }, { emoji: '😀' }, [1, -1.5e300, true, null, 'x'], { a: { b: [{ c: 'x'.repeat(100) }] } }])(
    'takes %j up to its exact size in bytes and no further',
    (value) => {
      const bytes = bytesOf(value);
      expect(fitsInJsonBytes(value, bytes)).toBe(true);
      expect(fitsInJsonBytes(value, bytes - 1)).toBe(false);
    },
  );

  it('takes undefined, which has no JSON text, within any limit', () => {
    expect(fitsInJsonBytes(undefined, 0)).toBe(true);
  });

  it('agrees with JSON.stringify on any JSON value and limit', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat({ max: 2000 }), (value, limit) => {
        expect(fitsInJsonBytes(value, limit)).toBe(bytesOf(value) <= limit);
      }),
      { numRuns: 2000 },
    );
  });
});
