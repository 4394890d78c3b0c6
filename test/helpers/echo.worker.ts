/**
 * A worker script for WorkerPool's spec: answers with the input, its own thread id and the length
 * of a byte array it was handed; fails a task on `{ fail }` and dies on `{ die }`; answers
 * `{ later }` on a later turn of its event loop, or fails it there when `fail` is set too.
 */
import { threadId } from 'node:worker_threads';

import { serveTasks } from '../../src/core/workers/serve-tasks';

export interface EchoInput {
  value?: number;
  bytes?: Uint8Array;
  fail?: string;
  die?: boolean;
  later?: boolean;
}

serveTasks<EchoInput, { value?: number; threadId: number; byteLength?: number }>((input) => {
  if (input.later) return new Promise((resolve) => setImmediate(resolve)).then(() => echo({ ...input, later: false }));
  return echo(input);
});

function echo(input: EchoInput) {
  if (input.die) process.exit(3);
  if (input.fail) throw new Error(input.fail);
  return { output: { value: input.value, threadId, byteLength: input.bytes?.byteLength } };
}
