import { EntityManager } from 'typeorm';

import { timeParameter } from './time-parameter';

const on = (type: string) => ({ connection: { options: { type } } }) as EntityManager;

describe('timeParameter', () => {
  it('is SQLite’s own text of the time, in UTC with milliseconds, so that it compares as stored times do', () => {
    expect(timeParameter(on('sqlite'), new Date('2024-04-17T09:12:05.678Z'))).toBe('2024-04-17 09:12:05.678');
    expect(timeParameter(on('sqlite'), new Date('2024-04-17T09:12:05.010Z'))).toBe('2024-04-17 09:12:05.010');
  });

  it('leaves out the milliseconds of a whole second on SQLite: a time stored before they were kept equals it', () => {
    expect(timeParameter(on('sqlite'), new Date('2024-04-17T09:12:05.000Z'))).toBe('2024-04-17 09:12:05');
  });

  it('is the instant itself on PostgreSQL', () => {
    const time = new Date('2024-04-17T09:12:05.678Z');

    expect(timeParameter(on('postgres'), time)).toBe(time);
  });
});
