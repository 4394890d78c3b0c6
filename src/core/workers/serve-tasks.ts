import { parentPort, Transferable } from 'node:worker_threads';

import { READY, ResultMessage, TaskMessage } from './worker-pool';

/**
 * The worker side of `WorkerPool`: answers each task with `handle`'s output (or what its promise
 * resolves to), handing over the objects in its `transfer` list instead of copying them; an error
 * fails that task only.
 */
export function serveTasks<Input, Output>(handle: (input: Input) => TaskResult<Output> | Promise<TaskResult<Output>>): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks() runs in a worker thread started by WorkerPool');
  port.on('message', ({ id, input }: TaskMessage<Input>) => {
    Promise.resolve()
      .then(() => handle(input))
      .then(
        ({ output, transfer = [] }) => port.postMessage({ id, output } satisfies ResultMessage<Output>, transfer),
        (error: unknown) =>
          port.postMessage({ id, error: error instanceof Error ? error.message : String(error) } satisfies ResultMessage<Output>),
      );
  });
  port.postMessage(READY);
}

/** A task's output, and the objects to hand over with it rather than copy. */
export interface TaskResult<Output> {
  output: Output;
  transfer?: Transferable[];
}
