import { DomainError } from '../errors/domain-error';
import { GroupCommit, GroupCommitOptions } from './group-commit';

/** A flush the test ends by hand: each call's items, and a way to commit or fail it. */
function controlledFlush() {
  const calls: { items: number[]; commit: () => void; fail: (error: Error) => void }[] = [];
  const flush = jest.fn(
    (items: number[]) =>
      new Promise<string[]>((resolve, reject) => {
        calls.push({ items, commit: () => resolve(items.map((item) => `done ${item}`)), fail: reject });
      }),
  );
  return { flush, calls };
}

const OPTIONS: GroupCommitOptions = { maxItems: 4, maxWaiting: 6 };
/** Lets the promise callbacks that are due run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('flushes a caller at once when nothing else is being written', async () => {
    const { flush, calls } = controlledFlush();
    const group = new GroupCommit(flush, OPTIONS, 'receipts');

    const answer = group.submit([1]);
    expect(calls.map((call) => call.items)).toEqual([[1]]);
    calls[0].commit();

    await expect(answer).resolves.toEqual(['done 1']);
  });

  it('gathers the callers that arrive during a flush into the next one, each answered with its own results after that commit', async () => {
    const { flush, calls } = controlledFlush();
    const group = new GroupCommit(flush, OPTIONS, 'receipts');
    const first = group.submit([1]);
    const answered: string[] = [];
    const second = group.submit([2, 3]).then((results) => (answered.push('second'), results));
    const third = group.submit([4]).then((results) => (answered.push('third'), results));

    expect(calls).toHaveLength(1);
    expect(group.depth).toBe(3);
    calls[0].commit();
    await first;
    await settle();

    expect(calls.map((call) => call.items)).toEqual([[1], [2, 3, 4]]);
    expect(answered).toEqual([]);
    calls[1].commit();
    await expect(second).resolves.toEqual(['done 2', 'done 3']);
    await expect(third).resolves.toEqual(['done 4']);
    expect(group.depth).toBe(0);
  });

  it('puts callers that fill a flush exactly to maxItems in one flush', async () => {
    const { flush, calls } = controlledFlush();
    const group = new GroupCommit(flush, OPTIONS, 'receipts');
    void group.submit([0]);
    void group.submit([1, 2, 3]);
    void group.submit([4]);

    calls[0].commit();
    await settle();

    expect(calls.map((call) => call.items)).toEqual([[0], [1, 2, 3, 4]]);
  });

  it('never puts more than maxItems in one flush, nor splits a caller', async () => {
    const { flush, calls } = controlledFlush();
    const group = new GroupCommit(flush, { ...OPTIONS, maxWaiting: 10 }, 'receipts');
    void group.submit([0]);
    void group.submit([1, 2, 3]);
    void group.submit([4, 5]);
    void group.submit([6]);

    calls[0].commit();
    await settle();
    calls[1].commit();
    await settle();

    expect(calls.map((call) => call.items)).toEqual([[0], [1, 2, 3], [4, 5, 6]]);
  });

  it('refuses at once, in its own words, what would make more items wait than maxWaiting', async () => {
    const { flush, calls } = controlledFlush();
    const group = new GroupCommit(flush, OPTIONS, 'receipts');
    void group.submit([1]);
    void group.submit([2, 3, 4, 5, 6, 7]);

    await expect(group.submit([8])).rejects.toEqual(
      new DomainError('unavailable', 'Too many receipts are waiting to be written. Retry later.'),
    );
    expect(calls).toHaveLength(1);
  });

  it('fails every caller of a failed flush, and goes on with the next ones', async () => {
    const { flush, calls } = controlledFlush();
    const group = new GroupCommit(flush, OPTIONS, 'receipts');
    void group.submit([1]);
    const second = group.submit([2]);
    const third = group.submit([3]);
    calls[0].commit();
    await settle();
    const fourth = group.submit([4]);

    calls[1].fail(new Error('disk I/O error'));
    await expect(second).rejects.toThrow('disk I/O error');
    await expect(third).rejects.toThrow('disk I/O error');
    await settle();
    calls[2].commit();
    await expect(fourth).resolves.toEqual(['done 4']);
  });
});
