import { parentPort, Transferable } from 'node:worker_threads';

import { READY, ResultMessage, TaskMessage } from './worker-pool';

/**
 * The worker side of `WorkerPool`: answers each task with `handle`'s output, handing over the
 * objects in its `transfer` list instead of copying them; a thrown error fails that task only.
 */
export function serveTasks<Input, Output>(handle: (input: Input) => { output: Output; transfer?: Transferable[] }): void {
  const port = parentPort;
  if (!port) throw new Error('serveTasks() runs in a worker thread started by WorkerPool');
  port.on('message', ({ id, input }: TaskMessage<Input>) => {
    let result: { message: ResultMessage<Output>; transfer: Transferable[] };
    try {
      const { output, transfer = [] } = handle(input);
      result = { message: { id, output }, transfer };
    } catch (error) {
      result = { message: { id, error: error instanceof Error ? error.message : String(error) }, transfer: [] };
    }
    port.postMessage(result.message, result.transfer);
  });
  port.postMessage(READY);
}
