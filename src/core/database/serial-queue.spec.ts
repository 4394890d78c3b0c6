import { SerialQueue } from './serial-queue';

describe('SerialQueue', () => {
  /** A task that records when it starts and ends, and yields to the event loop in between. */
  function recordingTask(log: string[], name: string, outcome: 'resolve' | 'reject' = 'resolve') {
    return async () => {
      log.push(`${name} start`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      log.push(`${name} end`);
      if (outcome === 'reject') throw new Error(`${name} failed`);
      return name;
    };
  }

  it('runs tasks one at a time, in the order they were queued', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];

    const results = await Promise.all(['a', 'b', 'c'].map((name) => queue.run(recordingTask(log, name))));

    expect(results).toEqual(['a', 'b', 'c']);
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end', 'c start', 'c end']);
  });

  it('goes on with the next task after one fails, and hands the failure to its caller', async () => {
    const queue = new SerialQueue();
    const log: string[] = [];

    const failed = queue.run(recordingTask(log, 'a', 'reject'));
    const next = queue.run(recordingTask(log, 'b'));

    await expect(failed).rejects.toThrow('a failed');
    await expect(next).resolves.toBe('b');
    expect(log).toEqual(['a start', 'a end', 'b start', 'b end']);
  });

  it('counts the tasks queued and running, and says how long each waited for its turn', async () => {
    // A clock the tasks move by hand: each task "takes" 5 s, so the waits are exact, whatever the machine's speed.
    let now = 100;
    const waits: number[] = [];
    const queue = new SerialQueue(
      (seconds) => waits.push(seconds),
      () => now,
    );
    const taskTakingFiveSeconds = (outcome: 'resolve' | 'reject') => async () => {
      await Promise.resolve();
      now += 5;
      if (outcome === 'reject') throw new Error('failed');
    };

    const running = (['resolve', 'reject', 'resolve'] as const).map((outcome) => queue.run(taskTakingFiveSeconds(outcome)));
    expect(queue.depth).toBe(3);
    await Promise.allSettled(running);

    expect(queue.depth).toBe(0);
    // a ran at once; b waited for a; c waited for a and for b, which failed.
    expect(waits).toEqual([0, 5, 10]);
  });

  it("tells the waits in seconds of the process's monotonic clock by default", async () => {
    // performance.now() counts milliseconds: the tasks are queued at 0 and 1000 ms, and the clock reads 3500 ms when they start.
    const now = jest.spyOn(performance, 'now').mockReturnValueOnce(0).mockReturnValueOnce(1000);
    const waits: number[] = [];
    const queue = new SerialQueue((seconds) => waits.push(seconds));

    const first = queue.run(() => Promise.resolve());
    const second = queue.run(() => Promise.resolve());
    now.mockReturnValue(3500);
    await Promise.all([first, second]);

    expect(waits).toEqual([3.5, 2.5]);
    now.mockRestore();
  });
});
