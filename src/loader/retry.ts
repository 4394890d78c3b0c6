import { setTimeout as sleep } from 'node:timers/promises';
import { TransientError } from './tracking-client';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The wait before the first retry; each next wait doubles, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Told about each failed attempt that will be retried. */
  onRetry?: (error: TransientError, attempt: number, delayMs: number) => void;
  wait?: (ms: number) => Promise<unknown>;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 8, baseDelayMs: 250, maxDelayMs: 10_000 };

/**
 * Runs `call` until it succeeds, retrying TransientErrors with exponential backoff and jitter
 * (so that several clients do not come back in step). Any other error ends it at once.
 * Safe for uploads because the document upsert is idempotent.
 */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  const wait = options.wait ?? sleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= options.attempts) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const delayMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      options.onRetry?.(error, attempt, delayMs);
      await wait(delayMs);
    }
  }
}
