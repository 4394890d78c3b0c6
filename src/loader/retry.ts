import { setTimeout as sleep } from 'node:timers/promises';

import { TransientError } from './loader-api-client';

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

/** The longest Retry-After honoured: a service asking for more is waited on this long, then tried. */
export const MAX_RETRY_AFTER_MS = 60_000;

/**
 * Runs `call` until it succeeds, retrying TransientErrors with exponential backoff and jitter
 * (so that several clients do not come back in step). A service that says how long to wait
 * (Retry-After on a 503 or 429) is waited on at least that long, up to MAX_RETRY_AFTER_MS, plus
 * up to a quarter more: the clients it refused at one moment should not all return at the next.
 * Any other error ends it at once. Safe for uploads because the document upsert is idempotent.
 */
export async function withRetry<T>(call: () => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  const wait = options.wait ?? sleep;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await call();
    } catch (error) {
      if (!(error instanceof TransientError) || attempt >= options.attempts) throw error;
      const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      const backoffMs = Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
      const askedMs = Math.min(error.retryAfterMs ?? 0, MAX_RETRY_AFTER_MS);
      const delayMs = Math.max(backoffMs, Math.round(askedMs * (1 + Math.random() / 4)));
      options.onRetry?.(error, attempt, delayMs);
      await wait(delayMs);
    }
  }
}
