import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';

import { PROJECT_ROOT } from '../src/core/project-root';

export interface ServiceProcess {
  baseUrl: string;
  child: ChildProcess;
  /** Everything the process wrote so far, stdout and stderr (JSON log lines). */
  output(): string;
  /**
   * The first whole line of output that matches `pattern`, as soon as the process has written it:
   * a point in the service's work to act on, rather than a delay. Rejects if the process ends first.
   */
  logged(pattern: RegExp): Promise<string>;
  /** How the process ended: its exit code, or the signal that killed it. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends it, gently (SIGTERM) unless told otherwise, and waits for the end. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * glibc's allocator settings that `npm start` sets (package.json): big buffers go back to the
 * system when freed, instead of staying in per-thread arenas (docs/operations.md, memory).
 */
export const ALLOCATOR_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };

/**
 * Starts the built service (`node dist/main.js`, built by test/global-setup.ts) as `npm start`
 * runs it, on 127.0.0.1 on a free port, with JSON logs, and waits until it is ready. For the tests
 * that need a real process (signals, kill -9, several processes on one file) and for the benchmarks.
 */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'main.js')], {
    env: { ...process.env, ...ALLOCATOR_ENV, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onOutput = new Set<() => void>();
  const append = (chunk: string) => {
    output += chunk;
    for (const check of onOutput) check();
  };
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', append);
  // 'close', not 'exit': it comes once the output is read to the end, so the last lines are in `output`.
  const exited = once(child, 'close').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null }));
  const logged = (pattern: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        // The last piece may be a line still being written.
        const line = output
          .split('\n')
          .slice(0, -1)
          .find((candidate) => pattern.test(candidate));
        if (line === undefined) return false;
        onOutput.delete(check);
        resolve(line);
        return true;
      };
      if (check()) return;
      onOutput.add(check);
      void exited.then(() => {
        if (!check()) reject(new Error(`the service ended without logging ${pattern}:\n${output}`));
      });
    });

  const baseUrl = `http://127.0.0.1:${port}`;
  await untilReady(baseUrl, exited, () => output);
  return {
    baseUrl,
    child,
    output: () => output,
    logged,
    exited,
    stop: (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * Polls the readiness probe, which needs no API key and answers once the database does; a log
 * line would not do, as callers may set LOG_LEVEL above info.
 */
async function untilReady(baseUrl: string, exited: Promise<unknown>, output: () => string): Promise<void> {
  let ended = false;
  void exited.then(() => (ended = true));
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (ended) throw new Error(`the service exited before it was ready:\n${output()}`);
    const status = await fetch(`${baseUrl}/health/ready`).then(
      (response) => response.status,
      () => undefined,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`the service was not ready within 30 s:\n${output()}`);
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
