import { join } from 'node:path';

import { EchoInput } from '../../../test/helpers/echo.worker';
import { WorkerPool, workerScript } from './worker-pool';

describe('WorkerPool', () => {
  let pool: WorkerPool<EchoInput, { value?: number; threadId: number; byteLength?: number }>;
  const start = (size: number) => (pool = new WorkerPool(workerScript(join(__dirname, '../../../test/helpers'), 'echo.worker'), size));

  afterEach(() => pool.close());

  it('answers each task with its own output', async () => {
    start(2);

    const outputs = await Promise.all(Array.from({ length: 10 }, (_, value) => pool.run({ value })));

    expect(outputs.map((output) => output.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('starts its workers as tasks come, and gives each task to the least busy one', async () => {
    start(2);

    const outputs = await Promise.all([pool.run({ value: 1 }), pool.run({ value: 2 }), pool.run({ value: 3 }), pool.run({ value: 4 })]);

    const threads = outputs.map((output) => output.threadId);
    expect(new Set(threads).size).toBe(2);
    expect(threads[0]).toBe(threads[2]);
    expect(threads[1]).toBe(threads[3]);
  });

  it('starts all its workers at once when told to, and says when they have loaded', async () => {
    await start(2).start();

    const outputs = await Promise.all([pool.run({ value: 1 }), pool.run({ value: 2 }), pool.run({ value: 3 })]);

    expect(new Set(outputs.map((output) => output.threadId)).size).toBe(2);
  });

  it('hands over the memory of a transferred buffer instead of copying it', async () => {
    start(1);
    const bytes = new Uint8Array(1024);

    await expect(pool.run({ bytes }, [bytes.buffer])).resolves.toMatchObject({ byteLength: 1024 });
    expect(bytes.byteLength).toBe(0);
  });

  it('answers a task whose handler answers on a later turn, and fails one whose promise rejects', async () => {
    start(1);

    await expect(pool.run({ later: true, value: 5 })).resolves.toMatchObject({ value: 5 });
    await expect(pool.run({ later: true, fail: 'later, not this one' })).rejects.toThrow('later, not this one');
    await expect(pool.run({ value: 6 })).resolves.toMatchObject({ value: 6 });
  });

  it('fails a task that throws, and goes on with the next', async () => {
    start(1);

    await expect(pool.run({ fail: 'not this one' })).rejects.toThrow('not this one');
    await expect(pool.run({ value: 7 })).resolves.toMatchObject({ value: 7 });
  });

  it('fails the tasks of a worker that dies, and replaces it', async () => {
    start(1);
    const first = await pool.run({ value: 1 });

    await expect(pool.run({ die: true })).rejects.toThrow('a worker thread exited with code 3');
    const next = await pool.run({ value: 2 });

    expect(next.value).toBe(2);
    expect(next.threadId).not.toBe(first.threadId);
  });

  it('refuses tasks once closed', async () => {
    start(1);
    await pool.run({ value: 1 });
    await pool.close();

    await expect(pool.run({ value: 2 })).rejects.toThrow('the worker pool is closed');
  });
});
