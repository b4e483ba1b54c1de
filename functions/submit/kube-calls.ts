import { KubeError } from '../../shared/adapters/kubernetes/errors.ts';
import { withRetry } from '../../shared/runtime/retry.ts';
import type { Log, SubmitDeps } from './deps.ts';

/** A Kubernetes call with bounded retry of transient faults (honouring Retry-After) until `deadline`. */
export function kubeRetry<T>(
  deps: SubmitDeps,
  log: Log,
  deadline: number,
  what: string,
  fn: () => Promise<T>,
): Promise<T> {
  return withRetry(fn, {
    ...deps.retry,
    deadline,
    sleep: deps.sleep,
    isRetryable: (error) => error instanceof KubeError && error.kind === 'transient',
    retryAfterMs: (error) =>
      error instanceof KubeError && error.failure.retryAfterSeconds !== undefined
        ? error.failure.retryAfterSeconds * 1000
        : undefined,
    onRetry: (error, attempt, delayMs) =>
      log.warn('transient kubernetes failure, retrying', {
        call: what,
        attempt,
        delayMs,
        error: String(error),
      }),
  });
}
