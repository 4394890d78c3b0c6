import { jsonHoldsNulCharacter, nulCharacterErrors } from './nul-character';

const refusal = (loc: (string | number)[], name: string) => ({
  loc,
  msg: `${name} must not contain the NUL character (U+0000)`,
  type: 'noNulCharacter',
});

describe('nulCharacterErrors', () => {
  it('finds none where no string holds U+0000', () => {
    expect(nulCharacterErrors({ a: 'text', b: [1, 'two', { c: null, d: true }], 'e\u0001': '\u0001' }, 'body')).toEqual([]);
    expect(nulCharacterErrors(undefined, 'query')).toEqual([]);
  });

  it('names each string that holds it, in order, at any depth, by its place and its nearest property name', () => {
    const value = {
      uniqueId: 'a\0b',
      documents: [{ uniqueId: 'ok', data: { meta: { text: '\0' } } }, { uniqueId: '\0' }],
      uniqueIds: ['1', '2\0'],
    };

    expect(nulCharacterErrors(value, 'body')).toEqual([
      refusal(['body', 'uniqueId'], 'uniqueId'),
      refusal(['body', 'documents', 0, 'data', 'meta', 'text'], 'text'),
      refusal(['body', 'documents', 1, 'uniqueId'], 'uniqueId'),
      refusal(['body', 'uniqueIds', 1], 'each value in uniqueIds'),
    ]);
  });

  it('names the object whose property name holds it, without the name', () => {
    expect(nulCharacterErrors({ data: { 'a\0': 1, b: 'x\0' } }, 'body')).toEqual([
      refusal(['body', 'data'], 'data'),
      refusal(['body', 'data', 'b'], 'b'),
    ]);
  });

  it('names the request part when the string is the whole value or in a list at its top; an element as class-validator does', () => {
    expect(nulCharacterErrors('\0', 'path')).toEqual([refusal(['path'], 'path')]);
    expect(nulCharacterErrors(['\0'], 'body')).toEqual([refusal(['body', 0], 'each value in body')]);
  });
});

describe('jsonHoldsNulCharacter', () => {
  const holds = (json: string) => jsonHoldsNulCharacter(new TextEncoder().encode(json));

  // Each text is JSON, so that what it parses to says whether it holds the character.
  it.each([
    ['{"a":"\\u0000"}', true],
    ['{"a\\u0000":1}', true],
    ['{"a":"x\\\\\\u0000"}', true],
    ['{"a":"\\\\u0000", "b": "\\\\\\\\u0000 \\u0000"}', true],
    ['{"a":"\\\\u0000"}', false],
    ['{"a":"\\\\\\\\u0000"}', false],
    ['{"a":"\\u00001"}', true],
    ['{"a":"\\u0001 \\u1000 u0000"}', false],
    ['{}', false],
  ])('reads %s as %p', (json, expected) => {
    expect(nulCharacterErrors(JSON.parse(json), 'body').length > 0).toBe(expected);
    expect(holds(json)).toBe(expected);
  });

  it('reads the bytes of a view into a larger buffer, not the whole buffer', () => {
    const whole = new TextEncoder().encode('\\u0000{"a":1}');

    expect(jsonHoldsNulCharacter(whole.subarray(6))).toBe(false);
    expect(jsonHoldsNulCharacter(whole)).toBe(true);
  });
});
