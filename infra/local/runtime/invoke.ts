import type { Context } from 'aws-lambda';

/** What the runtime calls: the bundle's exported `handler` (async, as nodejs24.x requires). */
export type LambdaHandler<TEvent = unknown, TResult = unknown> = (
  event: TEvent,
  context: Context,
) => Promise<TResult>;

export type InvocationResult<T> =
  | { outcome: 'returned'; value: T }
  | { outcome: 'threw'; error: unknown }
  | { outcome: 'timed-out' };

export interface Invocation<T> {
  /** Settles when the handler returns or throws, or at the function's timeout. */
  result: Promise<InvocationResult<T>>;
  /**
   * Settles when the handler itself is done. Lambda would kill a timed-out handler; this
   * in-process runtime cannot, so a caller that must not overlap waits for this as well.
   */
  finished: Promise<void>;
}

export function invoke<TEvent, TResult>(
  handler: LambdaHandler<TEvent, TResult>,
  event: TEvent,
  context: Context,
): Invocation<TResult> {
  const running: Promise<InvocationResult<TResult>> = (async () => {
    try {
      return { outcome: 'returned', value: await handler(event, context) };
    } catch (error) {
      return { outcome: 'threw', error };
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<InvocationResult<TResult>>((done) => {
    timer = setTimeout(() => done({ outcome: 'timed-out' }), context.getRemainingTimeInMillis());
  });
  const result = Promise.race([running, timeout]).finally(() => clearTimeout(timer));
  return { result, finished: running.then(() => {}) };
}
