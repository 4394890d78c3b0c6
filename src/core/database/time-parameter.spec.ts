import { EntityManager } from 'typeorm';

import { timeParameter } from './time-parameter';

const on = (type: string) => ({ connection: { options: { type } } }) as EntityManager;

describe('timeParameter', () => {
  const time = new Date('2024-04-17T09:12:05.678Z');

  it('is SQLite’s own text of the time, in UTC and whole seconds, so that it compares as stored times do', () => {
    expect(timeParameter(on('sqlite'), time)).toBe('2024-04-17 09:12:05');
  });

  it('is the instant itself on PostgreSQL', () => {
    expect(timeParameter(on('postgres'), time)).toBe(time);
  });
});
