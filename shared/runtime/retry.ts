/**
 * Bounded in-process retry with full-jitter exponential backoff that honours a server's
 * Retry-After. It never sleeps past `deadline` (the invocation's remaining time): when the next
 * wait would cross it, the last error is thrown and the message goes back to the queue instead.
 */
export interface RetrySettings {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryOptions extends RetrySettings {
  /** Epoch milliseconds after which no further attempt starts. */
  deadline?: number;
  isRetryable: (error: unknown) => boolean;
  /** The server's requested wait (Retry-After), when it gave one. */
  retryAfterMs?: (error: unknown) => number | undefined;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function backoffDelay(
  attempt: number,
  options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return Math.round((options.random ?? Math.random)() * ceiling);
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= options.attempts || !options.isRetryable(error)) throw error;
      const delay = Math.max(options.retryAfterMs?.(error) ?? 0, backoffDelay(attempt, options));
      if (options.deadline !== undefined && now() + delay >= options.deadline) throw error;
      options.onRetry?.(error, attempt, delay);
      await sleep(delay);
    }
  }
}
