import { FUNCTIONS } from '../../shared/resources.ts';

const { scheduleSeconds, handoffSeconds, finishReserveSeconds } = FUNCTIONS.reconcile;

/**
 * How long one invocation watches: the configured window, cut so that the invocation ends well
 * before the function's timeout and, with the handoff, `handoffSeconds` before the schedule's next
 * firing, so that the next invocation is not throttled behind this one (reserved concurrency 1)
 * and watches on at once. A late firing (a retried event) gets what is left of its period.
 */
export function windowOf(input: {
  windowMs: number;
  handoff: boolean;
  /** The scheduled event's `time`: when the schedule fired. */
  firedAt: string | undefined;
  remainingMs: number;
  now: number;
}): number {
  let windowMs = Math.min(input.windowMs, input.remainingMs - finishReserveSeconds * 1000);
  const firedAt = Date.parse(input.firedAt ?? '');
  if (input.handoff && Number.isFinite(firedAt))
    windowMs = Math.min(windowMs, firedAt + (scheduleSeconds - handoffSeconds) * 1000 - input.now);
  return Math.max(0, windowMs);
}
