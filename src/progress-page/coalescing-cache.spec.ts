import { CoalescingCache } from './coalescing-cache';

/** A clock the test moves, and loads the test settles: no timing anywhere. */
class ManualClock {
  time = 1_000_000;
  now = () => this.time;
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const OPTIONS = { minFreshMs: 1000, costFactor: 20, maxEntries: 3 };

describe('CoalescingCache', () => {
  let clock: ManualClock;
  let cache: CoalescingCache<number>;

  beforeEach(() => {
    clock = new ManualClock();
    cache = new CoalescingCache<number>(OPTIONS, clock);
  });

  it('runs one load for all who ask while it is in flight, and gives each its result', async () => {
    const load = deferred<number>();
    const loader = jest.fn(() => load.promise);
    const answers = Array.from({ length: 50 }, () => cache.get('a', loader));
    load.resolve(42);
    expect(await Promise.all(answers)).toEqual(Array(50).fill(42));
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('serves a cheap value again for minFreshMs after it was loaded, then loads it anew', async () => {
    await cache.get('a', async () => 1);
    clock.time += OPTIONS.minFreshMs - 1;
    expect(await cache.get('a', async () => 2)).toBe(1);
    clock.time += 1;
    expect(await cache.get('a', async () => 3)).toBe(3);
  });

  it('keeps a costly value fresh for costFactor times what loading it took', async () => {
    const load = deferred<number>();
    const answer = cache.get('a', () => load.promise);
    clock.time += 120; // the count took 120 ms: fresh for 2400 ms after it finished
    load.resolve(1);
    await answer;
    clock.time += 2399;
    expect(await cache.get('a', async () => 2)).toBe(1);
    clock.time += 1;
    expect(await cache.get('a', async () => 3)).toBe(3);
  });

  it('shares a failed load with those who waited for it, and keeps nothing of it', async () => {
    const load = deferred<number>();
    const first = cache.get('a', () => load.promise);
    const second = cache.get('a', async () => 2);
    load.reject(new Error('gone'));
    await expect(first).rejects.toThrow('gone');
    await expect(second).rejects.toThrow('gone');
    expect(await cache.get('a', async () => 3)).toBe(3);
  });

  it('loads each key on its own', async () => {
    expect(await cache.get('a', async () => 1)).toBe(1);
    expect(await cache.get('b', async () => 2)).toBe(2);
    expect(await cache.get('a', async () => 3)).toBe(1);
  });

  it('forgets the least recently loaded keys beyond maxEntries', async () => {
    for (const key of ['a', 'b', 'c', 'd']) await cache.get(key, async () => 1);
    expect(cache.size).toBe(OPTIONS.maxEntries);
    expect(await cache.get('a', async () => 2)).toBe(2);
    expect(await cache.get('d', async () => 3)).toBe(1);
  });

  it('keeps the newer load of a key when an older one, evicted meanwhile, fails', async () => {
    const older = deferred<number>();
    const failed = cache.get('a', () => older.promise);
    for (const key of ['b', 'c', 'd']) await cache.get(key, async () => 1);
    const newer = cache.get('a', async () => 2);
    older.reject(new Error('gone'));
    await expect(failed).rejects.toThrow('gone');

    expect(await cache.get('a', async () => 3)).toBe(await newer);
  });
});
