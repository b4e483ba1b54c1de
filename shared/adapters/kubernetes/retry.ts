import type { CallOptions, Log } from '../../core/ports.ts';
import { type RetrySettings, withRetry } from '../../runtime/retry.ts';
import { spanEvent } from '../../runtime/tracing.ts';
import { KubeError } from './errors.ts';

/** Transient Kubernetes faults (no answer, 429, 5xx) are tried again, at most this often. */
export const KUBE_RETRY: RetrySettings = { attempts: 4, baseDelayMs: 100, maxDelayMs: 2000 };

export interface KubeRetryOptions {
  retry?: RetrySettings;
  log?: Log;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * One Kubernetes call with bounded retry of transient faults, honouring Retry-After, never past
 * the call's deadline (then the last error is thrown and the caller leaves it for later).
 */
export function kubeRetry<T>(
  what: string,
  fn: () => Promise<T>,
  call: CallOptions = {},
  options: KubeRetryOptions = {},
): Promise<T> {
  return withRetry(fn, {
    ...(options.retry ?? KUBE_RETRY),
    deadline: call.deadline,
    sleep: options.sleep,
    isRetryable: (error) => error instanceof KubeError && error.kind === 'transient' && !call.signal?.aborted,
    retryAfterMs: (error) =>
      error instanceof KubeError && error.failure.retryAfterSeconds !== undefined
        ? error.failure.retryAfterSeconds * 1000
        : undefined,
    onRetry: (error, attempt, delayMs) => {
      spanEvent('retry', { attempt, delayMs, error: String(error) });
      options.log?.warn('transient kubernetes failure, retrying', {
        call: what,
        attempt,
        delayMs,
        error: String(error),
      });
    },
  });
}
