/**
 * A worker script for WorkerPool's spec: answers with the input, its own thread id and the length
 * of a byte array it was handed; fails a task on `{ fail }` and dies on `{ die }`.
 */
import { threadId } from 'node:worker_threads';

import { serveTasks } from '../../src/core/workers/serve-tasks';

export interface EchoInput {
  value?: number;
  bytes?: Uint8Array;
  fail?: string;
  die?: boolean;
}

serveTasks<EchoInput, { value?: number; threadId: number; byteLength?: number }>((input) => {
  if (input.die) process.exit(3);
  if (input.fail) throw new Error(input.fail);
  return { output: { value: input.value, threadId, byteLength: input.bytes?.byteLength } };
});
