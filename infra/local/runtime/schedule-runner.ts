/**
 * An EventBridge rate schedule, emulated: invokes a function with a ScheduledEvent at a fixed
 * rate (firings at start + k * period, not drifting with the invocations' durations).
 *
 * - First firing: immediately by default, so local status appears without a minute's wait;
 *   `after-one-period` is EventBridge's behaviour for a new rate rule.
 * - Never overlapping, as with reserved concurrency 1: a firing that comes while an
 *   invocation runs is skipped (`skip`, the default), or kept and run as soon as the running
 *   one ends (`queue-one`: at most one waits, like a throttled asynchronous invocation that
 *   Lambda retries). A timed-out handler cannot be killed in-process, so its slot is only
 *   free once it actually ends: the timeout is reported, the overlap never happens.
 * - Stop (signal): no new firings; a running invocation is awaited, a queued one dropped.
 */

import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { ScheduledEvent } from 'aws-lambda';
import { invoke, type LambdaHandler } from './invoke.ts';
import { createLambdaContext, type FunctionSettings } from './lambda-context.ts';

export interface ScheduleRunnerOptions {
  handler: LambdaHandler<ScheduledEvent, unknown>;
  function: FunctionSettings;
  /** The rule's rate; fractions of a second are allowed (tests). Default 60. */
  periodSeconds?: number;
  firstFiring?: 'immediately' | 'after-one-period';
  whileRunning?: 'skip' | 'queue-one';
  /** Names the rule in the event's resources. Default `<function>-schedule`. */
  ruleName?: string;
  signal: AbortSignal;
  onInvocation?: (report: ScheduledInvocationReport) => void;
  onSkipped?: (scheduledTime: string) => void;
}

export interface ScheduledInvocationReport {
  functionName: string;
  requestId: string;
  scheduledTime: string;
  /** The firing's time on the rate's grid, epoch ms (scheduledTime is to the second). */
  scheduledAt: number;
  outcome: 'success' | 'error' | 'timeout';
  /** From the firing's scheduled time until the handler returned, threw or timed out. */
  durationMs: number;
  error?: string;
}

/** Resolves once stopped (options.signal) and the running invocation, if any, has ended. */
export async function runSchedule(options: ScheduleRunnerOptions): Promise<void> {
  const periodMs = (options.periodSeconds ?? 60) * 1000;
  if (!(periodMs > 0)) throw new RangeError('periodSeconds must be positive');
  const { signal } = options;
  const start = Date.now();
  let firing = options.firstFiring === 'after-one-period' ? 1 : 0;
  let running: Promise<void> | undefined;
  let queued: number | undefined;

  const run = (at: number): void => {
    running = (async () => {
      await invokeOnce(options, at);
      running = undefined;
      if (queued !== undefined && !signal.aborted) {
        const next = queued;
        queued = undefined;
        run(next);
      }
    })();
  };

  while (!signal.aborted) {
    const at = start + firing * periodMs;
    // A timer may fire a millisecond before its time by Date.now(): a firing never starts early.
    while (Date.now() < at && !signal.aborted)
      await delay(at - Date.now(), undefined, { signal }).catch(() => {});
    if (signal.aborted) break;
    // Firings missed while the event loop was blocked are not made up for.
    firing = Math.max(firing + 1, Math.floor((Date.now() - start) / periodMs) + 1);
    if (!running) run(at);
    else if (options.whileRunning === 'queue-one' && queued === undefined) queued = at;
    else options.onSkipped?.(isoSeconds(at));
  }
  while (running) await running;
}

async function invokeOnce(options: ScheduleRunnerOptions, at: number): Promise<void> {
  const context = createLambdaContext(options.function);
  const event = scheduledEvent(options, at);
  const invocation = invoke(options.handler, event, context);
  const result = await invocation.result;
  options.onInvocation?.({
    functionName: options.function.functionName,
    requestId: context.awsRequestId,
    scheduledTime: event.time,
    scheduledAt: at,
    outcome: result.outcome === 'returned' ? 'success' : result.outcome === 'threw' ? 'error' : 'timeout',
    durationMs: Date.now() - at,
    ...(result.outcome === 'threw' && { error: String(result.error) }),
  });
  await invocation.finished;
}

export function scheduledEvent(options: Pick<ScheduleRunnerOptions, 'function' | 'ruleName'>, at: number) {
  const { region, accountId, functionName } = options.function;
  const rule = options.ruleName ?? `${functionName}-schedule`;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: accountId,
    time: isoSeconds(at),
    region,
    resources: [`arn:aws:events:${region}:${accountId}:rule/${rule}`],
    detail: {},
  } satisfies ScheduledEvent;
}

/** EventBridge writes times to the second: 2015-10-08T16:53:06Z. */
function isoSeconds(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
