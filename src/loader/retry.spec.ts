import { RequestRefusedError, TransientError } from './loader-api-client';
import { MAX_RETRY_AFTER_MS, RetryOptions, withRetry } from './retry';

describe('withRetry', () => {
  // Records the waits instead of sleeping, so the backoff can be checked without slowing the test.
  const waits: number[] = [];
  const options = (attempts: number): RetryOptions => ({
    attempts,
    baseDelayMs: 100,
    maxDelayMs: 1000,
    wait: async (ms) => void waits.push(ms),
  });
  beforeEach(() => (waits.length = 0));

  function failing(failures: Error[], result = 'stored') {
    const call = jest.fn(async () => {
      const failure = failures.shift();
      if (failure) throw failure;
      return result;
    });
    return call;
  }

  it('retries transient failures until the call succeeds', async () => {
    const call = failing([new TransientError('ECONNREFUSED'), new TransientError('503')]);

    await expect(withRetry(call, options(5))).resolves.toBe('stored');
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('backs off exponentially with jitter, up to the ceiling', async () => {
    const call = failing(Array.from({ length: 6 }, () => new TransientError('502')));

    await withRetry(call, options(7));

    const ceilings = [100, 200, 400, 800, 1000, 1000];
    expect(waits).toHaveLength(6);
    waits.forEach((wait, index) => {
      expect(wait).toBeGreaterThanOrEqual(ceilings[index] / 2);
      expect(wait).toBeLessThanOrEqual(ceilings[index]);
    });
  });

  it.each([
    [0, [50, 100, 200, 400, 500, 500]],
    [0.5, [75, 150, 300, 600, 750, 750]],
    [0.999999, [100, 200, 400, 800, 1000, 1000]],
  ])('spreads the waits over the upper half of each ceiling (random %p)', async (random, expected) => {
    const randomSpy = jest.spyOn(Math, 'random').mockReturnValue(random);
    const call = failing(Array.from({ length: 6 }, () => new TransientError('502')));

    await withRetry(call, options(7));

    randomSpy.mockRestore();
    expect(waits).toEqual(expected);
  });

  it('gives up after the last attempt with the last failure', async () => {
    const call = failing([new TransientError('one'), new TransientError('two'), new TransientError('three')]);

    await expect(withRetry(call, options(2))).rejects.toThrow('two');
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('does not retry a refused request', async () => {
    const call = failing([new RequestRefusedError(422, 'UBID must be a UUID')]);

    await expect(withRetry(call, options(5))).rejects.toBeInstanceOf(RequestRefusedError);
    expect(call).toHaveBeenCalledTimes(1);
  });

  it('waits at least as long as the service asked (Retry-After), spread by up to a quarter', async () => {
    const call = failing([new TransientError('503', 3000), new TransientError('429', 120_000), new TransientError('502')]);

    await expect(withRetry(call, options(5))).resolves.toBe('stored');

    expect(waits).toHaveLength(3);
    expect(waits[0]).toBeGreaterThanOrEqual(3000);
    expect(waits[0]).toBeLessThanOrEqual(3750);
    // Capped: a service asking for two minutes is tried again after one (and a quarter at most).
    expect(waits[1]).toBeGreaterThanOrEqual(MAX_RETRY_AFTER_MS);
    expect(waits[1]).toBeLessThanOrEqual(MAX_RETRY_AFTER_MS * 1.25);
    // Without Retry-After, the backoff alone: the third ceiling is 400 ms.
    expect(waits[2]).toBeLessThanOrEqual(400);
  });

  it('tells about each retry', async () => {
    const onRetry = jest.fn();

    await withRetry(failing([new TransientError('503')]), { ...options(3), onRetry });

    expect(onRetry).toHaveBeenCalledWith(expect.any(TransientError), 1, expect.any(Number));
  });
});
