import { BodyBudget } from './body-budget';

describe('BodyBudget', () => {
  /** The client of every request, where the share of one client is not the subject. */
  const ONE = '10.0.0.1';
  const notArriving = () => false;
  const arriving = () => true;

  afterEach(() => jest.useRealTimers());

  it('takes room while it fits and gives it back', () => {
    const budget = new BodyBudget(100);

    expect(budget.tryTake(60, ONE)).toBe(true);
    expect(budget.tryTake(41, ONE)).toBe(false);
    expect(budget.tryTake(40, ONE)).toBe(true);
    expect(budget.usedBytes).toBe(100);

    budget.give(60, ONE);
    expect(budget.usedBytes).toBe(40);
  });

  it('lets a waiter in as soon as room comes free', async () => {
    const budget = new BodyBudget(100);
    budget.tryTake(80, ONE);

    const waiting = budget.take(50, ONE, { waitMs: 10_000, arriving: notArriving });
    expect(budget.waiting).toBe(1);
    budget.give(80, ONE);

    await expect(waiting).resolves.toBe(true);
    expect(budget.usedBytes).toBe(50);
    expect(budget.waiting).toBe(0);
  });

  it('gives up on a waiter after its wait, and lets the next one in', async () => {
    jest.useFakeTimers();
    const budget = new BodyBudget(100);
    budget.tryTake(60, ONE);
    const big = budget.take(50, ONE, { waitMs: 1_000, arriving: notArriving });
    const small = budget.take(30, ONE, { waitMs: 5_000, arriving: notArriving });

    await jest.advanceTimersByTimeAsync(1_000);

    await expect(big).resolves.toBe(false);
    await expect(small).resolves.toBe(true);
    expect(budget.usedBytes).toBe(90);
  });

  it('does not let a newcomer pass those waiting, even when it would fit', async () => {
    const budget = new BodyBudget(100);
    budget.tryTake(60, ONE);
    const waiting = budget.take(50, ONE, { waitMs: 10_000, arriving: notArriving });

    expect(budget.tryTake(10, ONE)).toBe(false);

    budget.give(60, ONE);
    await expect(waiting).resolves.toBe(true);
  });

  it('keeps the order of arrival: a big waiter that does not fit yet holds up the smaller ones behind it', async () => {
    const budget = new BodyBudget(100);
    budget.tryTake(70, ONE);
    const granted: string[] = [];
    const big = budget.take(60, ONE, { waitMs: 10_000, arriving: notArriving }).then(() => granted.push('big'));
    const small = budget.take(20, ONE, { waitMs: 10_000, arriving: notArriving }).then(() => granted.push('small'));

    budget.give(10, ONE);
    await Promise.resolve();
    expect(granted).toEqual([]);

    budget.give(40, ONE);
    await Promise.all([big, small]);
    expect(granted).toEqual(['big', 'small']);
  });

  it('serves the waiters whose bodies are arriving before those that send nothing', async () => {
    const budget = new BodyBudget(100);
    budget.tryTake(100, ONE);
    const granted: string[] = [];
    const silent = budget.take(60, ONE, { waitMs: 10_000, arriving: notArriving }).then(() => granted.push('silent'));
    const sending = budget.take(60, ONE, { waitMs: 10_000, arriving }).then(() => granted.push('sending'));

    budget.give(60, ONE);
    await sending;
    expect(granted).toEqual(['sending']);

    budget.give(60, ONE);
    await silent;
    expect(granted).toEqual(['sending', 'silent']);
  });

  it('serves a body that resumes before all others: part of it is in memory already', async () => {
    const budget = new BodyBudget(100);
    budget.tryTake(100, ONE);
    const granted: string[] = [];
    const sending = budget.take(60, ONE, { waitMs: 10_000, arriving }).then(() => granted.push('sending'));
    const resuming = budget.take(60, ONE, { waitMs: 10_000, resuming: true }).then(() => granted.push('resuming'));

    budget.give(60, ONE);
    await resuming;
    expect(granted).toEqual(['resuming']);

    budget.give(60, ONE);
    await sending;
    expect(granted).toEqual(['resuming', 'sending']);
  });

  it('reconsiders the line when a waiter starts to send', async () => {
    const budget = new BodyBudget(100);
    budget.tryTake(60, ONE);
    let sending = false;
    const bigFirst = budget.take(70, ONE, { waitMs: 10_000, arriving: notArriving });
    const smallLater = budget.take(40, ONE, { waitMs: 10_000, arriving: () => sending });

    budget.serve();
    await Promise.resolve();
    expect(budget.waiting).toBe(2);

    sending = true;
    budget.serve();

    await expect(smallLater).resolves.toBe(true);
    expect(budget.waiting).toBe(1);
    budget.give(100, ONE);
    await expect(bigFirst).resolves.toBe(true);
  });

  it('takes a waiter out of line when its client goes away', async () => {
    const budget = new BodyBudget(100);
    budget.tryTake(100, ONE);
    const gone = new AbortController();
    const waiting = budget.take(10, ONE, { waitMs: 10_000, arriving: notArriving, signal: gone.signal });

    gone.abort();

    await expect(waiting).resolves.toBe(false);
    expect(budget.waiting).toBe(0);
    await expect(budget.take(10, ONE, { waitMs: 10_000, arriving: notArriving, signal: gone.signal })).resolves.toBe(false);
  });

  describe('the share of one client', () => {
    const OTHER = '10.0.0.2';

    it('lets one client hold no more than its share, while another still gets room', () => {
      const budget = new BodyBudget(100, 50);

      expect(budget.tryTake(30, ONE)).toBe(true);
      expect(budget.tryTake(21, ONE)).toBe(false);
      expect(budget.tryTake(20, ONE)).toBe(true);
      expect(budget.tryTake(50, OTHER)).toBe(true);
      expect([budget.usedBy(ONE), budget.usedBy(OTHER), budget.usedBytes]).toEqual([50, 50, 100]);

      budget.give(30, ONE);
      expect([budget.usedBy(ONE), budget.usedBytes]).toEqual([20, 70]);
    });

    it('keeps a client over its share waiting for its own room, and lets the others pass it in line', async () => {
      const budget = new BodyBudget(100, 50);
      budget.tryTake(50, ONE);
      const granted: string[] = [];
      const overShare = budget.take(10, ONE, { waitMs: 10_000, arriving: notArriving }).then(() => granted.push('one'));

      expect(budget.tryTake(20, OTHER)).toBe(true);
      const other = budget.take(30, OTHER, { waitMs: 10_000, arriving: notArriving }).then(() => granted.push('other'));
      await other;
      expect(granted).toEqual(['other']);

      budget.give(50, ONE);
      await overShare;
      expect(granted).toEqual(['other', 'one']);
      expect([budget.usedBy(ONE), budget.usedBy(OTHER)]).toEqual([10, 50]);
    });
  });
});
