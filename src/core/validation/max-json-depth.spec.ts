import { validateSync } from 'class-validator';
import { nested } from '../../../test/helpers/nested-json';
import { jsonDepth, MaxJsonDepth } from './max-json-depth';

describe('jsonDepth', () => {
  it.each([
    [1, 0],
    [null, 0],
    [{}, 1],
    [[], 1],
    [{ a: 1, b: [1, { c: {} }] }, 4],
    [[[[]]], 3],
  ])('of %j is %d', (value, depth) => {
    expect(jsonDepth(value)).toBe(depth);
  });

  it('measures 200,000 levels without overflowing the stack', () => {
    expect(jsonDepth(nested(200_000))).toBe(200_000);
  });
});

describe('MaxJsonDepth', () => {
  class Message {
    @MaxJsonDepth(3)
    data: unknown;
  }
  const errorsFor = (data: unknown) => validateSync(Object.assign(new Message(), { data }));

  it('accepts values up to the limit', () => {
    expect(errorsFor(nested(3))).toEqual([]);
  });

  it('refuses deeper values, saying the limit', () => {
    expect(errorsFor(nested(4))[0].constraints).toEqual({ maxJsonDepth: 'data must not be nested more than 3 levels deep' });
  });
});
