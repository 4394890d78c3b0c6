import { validateSync } from 'class-validator';

import { nested } from '../../../test/helpers/nested-json';
import { MaxJsonDepth, nestsDeeperThan } from './max-json-depth';

describe('nestsDeeperThan', () => {
  it.each([
    [1, 0, false],
    [null, 0, false],
    [{}, 0, true],
    [{}, 1, false],
    [[], 1, false],
    [{ a: 1, b: [1, { c: {} }] }, 3, true],
    [{ a: 1, b: [1, { c: {} }] }, 4, false],
    [[[[]]], 2, true],
    [[[[]]], 3, false],
  ])('%j nests deeper than %d levels: %s', (value, limit, deeper) => {
    expect(nestsDeeperThan(value, limit)).toBe(deeper);
  });

  it('answers for 200,000 levels without overflowing the stack', () => {
    expect(nestsDeeperThan(nested(200_000), 64)).toBe(true);
    expect(nestsDeeperThan(nested(64), 64)).toBe(false);
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
