import fc from 'fast-check';

import { fitsInJsonBytes } from './max-json-bytes';

const bytesOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('fitsInJsonBytes', () => {
  it.each([
    {},
    { text: 'é' },
    { text: '\u0000' },
    { '\u0000': '\u0000' },
    { emoji: '😀' },
    [1, -1.5e300, true, null, 'x'],
    { a: { b: [{ c: 'x'.repeat(100) }] } },
  ])('takes %j up to its exact size in bytes and no further', (value) => {
    const bytes = bytesOf(value);
    expect(fitsInJsonBytes(value, bytes)).toBe(true);
    expect(fitsInJsonBytes(value, bytes - 1)).toBe(false);
  });

  it('takes undefined, which has no JSON text, within any limit', () => {
    expect(fitsInJsonBytes(undefined, 0)).toBe(true);
  });

  // The walk exists so that a 5000-document upload is not serialised document by document.
  it('does not serialise a value whose upper bound is within the limit, up to the bound itself', () => {
    const stringify = jest.spyOn(JSON, 'stringify');

    const small = fitsInJsonBytes({ text: 'hello', count: 3 }, 1_000);
    const atTheBound = fitsInJsonBytes('ab', 2 + 6 * 2);
    const maybeOver = fitsInJsonBytes('ab', 13);

    expect([small, atTheBound, maybeOver]).toEqual([true, true, true]);
    expect(stringify).toHaveBeenCalledTimes(1);
    expect(stringify).toHaveBeenCalledWith('ab');
    stringify.mockRestore();
  });

  it('stops walking a nested value as soon as its bound passes what is left of the limit', () => {
    const read: string[] = [];
    const keys: Record<string, string> = { b: 'x', c: 'y', d: 'z' };
    const nested = new Proxy(keys, { get: (target, key: string) => (read.push(key), target[key]) });
    // The exact count is not what this test watches: its reads would hide the walk's.
    const stringify = jest.spyOn(JSON, 'stringify').mockReturnValue('{}');

    // What is left for the nested value: 19 - 2 for the outer braces; its bound passes that at its first key (2 + 18).
    fitsInJsonBytes({ a: nested }, 19);

    stringify.mockRestore();
    expect(read).toEqual(['b']);
  });

  it('goes on past a key where its bound meets the limit exactly, while keys remain', () => {
    // {"a":1} is bounded by 36: the braces 2, the key 2 + 6, the colon and comma 2, a number 24.
    expect(fitsInJsonBytes({ a: 1, b: 'x'.repeat(40) }, 36)).toBe(false);
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
