// Following one job's record until it is terminal: the loop of `wait` and `submit --wait`, with its
// clock, sleep and read injected so that it is unit-tested without a table.
import type { JobRecord } from '../shared/core/job/record.ts';
import { isTerminal } from '../shared/core/job/state.ts';

export type WaitOutcome =
  | { kind: 'done'; record: JobRecord }
  | { kind: 'timeout'; record: JobRecord | undefined }
  /** No record appeared within the grace: a wrong jobId, or a request still queued. */
  | { kind: 'missing' };

export interface WaitOptions {
  /** Give up after this long (Infinity: never). */
  timeoutMs: number;
  intervalMs: number;
  /** How long to wait for the record to exist at all (a request may still be in the queue). */
  missingGraceMs: number;
  /** After each read, with the record (if any) and the time waited so far. */
  onPoll?: (record: JobRecord | undefined, elapsedMs: number) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

export async function waitForJob(
  read: () => Promise<JobRecord | undefined>,
  options: WaitOptions,
): Promise<WaitOutcome> {
  const started = options.now();
  for (;;) {
    const record = await read();
    const elapsed = options.now() - started;
    options.onPoll?.(record, elapsed);
    if (record && isTerminal(record.state)) return { kind: 'done', record };
    if (!record && elapsed >= options.missingGraceMs) return { kind: 'missing' };
    if (elapsed >= options.timeoutMs) return { kind: 'timeout', record };
    // never sleep past the deadline: a timeout of 1 s with a 2 s interval still ends at 1 s
    const left = Math.min(options.timeoutMs, record ? Infinity : options.missingGraceMs) - elapsed;
    await options.sleep(Math.max(0, Math.min(options.intervalMs, left)));
  }
}
