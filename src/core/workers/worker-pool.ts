import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Transferable, Worker } from 'node:worker_threads';

/** What a worker script receives for each task, and sends back. */
export interface TaskMessage<Input> {
  id: number;
  input: Input;
}
export type ResultMessage<Output> = { id: number; output: Output } | { id: number; error: string };

interface Task<Output> {
  resolve: (output: Output) => void;
  reject: (error: Error) => void;
}

interface PooledWorker<Output> {
  worker: Worker;
  tasks: Map<number, Task<Output>>;
}

/**
 * The file of a worker script next to the code that starts it: the compiled `.js` in dist/, or,
 * under ts-jest (no `.js` beside the source), the `.ts` file run through ts-node.
 */
export function workerScript(directory: string, name: string): { file: string; execArgv: string[] } {
  const compiled = join(directory, `${name}.js`);
  if (existsSync(compiled)) return { file: compiled, execArgv: [] };
  return { file: join(directory, `${name}.ts`), execArgv: ['--require', 'ts-node/register/transpile-only'] };
}

/**
 * A few worker threads running one script, started on the first task. Each task goes to the
 * worker with the fewest tasks; a worker that dies fails its tasks and is replaced by the next
 * task that needs it. The script answers each `TaskMessage` with a `ResultMessage` (see
 * `serveTasks`).
 */
export class WorkerPool<Input, Output> {
  private readonly workers: PooledWorker<Output>[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly script: { file: string; execArgv: string[] },
    readonly size: number,
  ) {}

  run(input: Input, transfer: Transferable[] = []): Promise<Output> {
    if (this.closed) return Promise.reject(new Error('the worker pool is closed'));
    const pooled = this.leastBusy();
    const id = (this.nextId += 1);
    return new Promise((resolve, reject) => {
      pooled.tasks.set(id, { resolve, reject });
      pooled.worker.postMessage({ id, input } satisfies TaskMessage<Input>, transfer);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.splice(0).map(({ worker }) => worker.terminate()));
  }

  private leastBusy(): PooledWorker<Output> {
    if (this.workers.length < this.size) return this.start();
    return this.workers.reduce((least, candidate) => (candidate.tasks.size < least.tasks.size ? candidate : least));
  }

  private start(): PooledWorker<Output> {
    const worker = new Worker(this.script.file, { execArgv: this.script.execArgv });
    // Idle workers must not keep the process alive; one with a task has a caller waiting for it.
    worker.unref();
    const pooled: PooledWorker<Output> = { worker, tasks: new Map() };
    worker.on('message', (message: ResultMessage<Output>) => {
      const task = pooled.tasks.get(message.id);
      pooled.tasks.delete(message.id);
      if ('error' in message) task?.reject(new Error(message.error));
      else task?.resolve(message.output);
    });
    const fail = (error: Error) => {
      this.workers.splice(this.workers.indexOf(pooled), 1);
      for (const task of pooled.tasks.values()) task.reject(error);
      pooled.tasks.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.workers.includes(pooled)) fail(new Error(`a worker thread exited with code ${code}`));
    });
    this.workers.push(pooled);
    return pooled;
  }
}
