import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Transferable, Worker } from 'node:worker_threads';

/** What a worker script receives for each task, and sends back. */
export interface TaskMessage<Input> {
  id: number;
  input: Input;
}
export type ResultMessage<Output> = { id: number; output: Output } | { id: number; error: string };
/** What a worker script sends once it has loaded and takes tasks. */
export const READY = 'ready';

interface Task<Output> {
  resolve: (output: Output) => void;
  reject: (error: Error) => void;
}

interface PooledWorker<Output> {
  worker: Worker;
  tasks: Map<number, Task<Output>>;
  /** Settles when the script has loaded, or failed to. */
  ready: Promise<void>;
}

/** How to start a worker script: its file, and the Node options and environment of its thread. */
export interface WorkerScript {
  file: string;
  execArgv: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The file of a worker script next to the code that starts it: the compiled `.js` in dist/, or,
 * under ts-jest (no `.js` beside the source), the `.ts` file run through ts-node. ts-node is told
 * to prefer `.ts` files, as Jest does: Node would otherwise import a spec's cases beside a module
 * (`request-validation.pipe.json`) in place of the module.
 */
export function workerScript(directory: string, name: string): WorkerScript {
  const compiled = join(directory, `${name}.js`);
  if (existsSync(compiled)) return { file: compiled, execArgv: [] };
  return {
    file: join(directory, `${name}.ts`),
    execArgv: ['--require', 'ts-node/register/transpile-only'],
    env: { ...process.env, TS_NODE_PREFER_TS_EXTS: 'true' },
  };
}

/**
 * A few worker threads running one script, started by `start()` or, at the latest, as tasks come
 * (a worker takes a few hundred milliseconds to load its script). Each task goes to the worker
 * with the fewest tasks; a worker that dies fails its tasks and is replaced by the next
 * task that needs it. The script answers each `TaskMessage` with a `ResultMessage` (see
 * `serveTasks`).
 */
export class WorkerPool<Input, Output> {
  private readonly workers: PooledWorker<Output>[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly script: WorkerScript,
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

  /** Starts the workers not running yet, and resolves when every worker has loaded its script. */
  async start(): Promise<void> {
    while (!this.closed && this.workers.length < this.size) this.launch();
    await Promise.all(this.workers.map(({ ready }) => ready));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.splice(0).map(({ worker }) => worker.terminate()));
  }

  private leastBusy(): PooledWorker<Output> {
    if (this.workers.length < this.size) return this.launch();
    return this.workers.reduce((least, candidate) => (candidate.tasks.size < least.tasks.size ? candidate : least));
  }

  private launch(): PooledWorker<Output> {
    const worker = new Worker(this.script.file, { execArgv: this.script.execArgv, env: this.script.env });
    // Idle workers must not keep the process alive; one with a task has a caller waiting for it.
    worker.unref();
    let loaded!: () => void;
    let failedToLoad!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => ((loaded = resolve), (failedToLoad = reject)));
    // Nobody may wait for it (a worker started by its first task): its failure is the task's then.
    ready.catch(() => undefined);
    const pooled: PooledWorker<Output> = { worker, tasks: new Map(), ready };
    worker.on('message', (message: ResultMessage<Output> | typeof READY) => {
      if (message === READY) return loaded();
      const task = pooled.tasks.get(message.id);
      pooled.tasks.delete(message.id);
      if ('error' in message) task?.reject(new Error(message.error));
      else task?.resolve(message.output);
    });
    const fail = (error: Error) => {
      failedToLoad(error);
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
