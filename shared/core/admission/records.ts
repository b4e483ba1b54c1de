import type { JobRecord } from '../job/record.ts';
import { isTerminal, type JobState } from '../job/state.ts';
import { statusShard, transition } from '../job/transition.ts';
import type { Admission, Suspension } from './types.ts';

/** The records admission writes: each from the current one, with transition() so none regresses. */

export const QUEUED_REASON = 'Queued';

/** A new record that waits for admission: QUEUED from its first write, its Job created suspended. */
export function queuedRecord(submitted: JobRecord, admission: Admission): JobRecord {
  const at = submitted.createdAt;
  const message = 'waiting for admission';
  return {
    ...submitted,
    state: 'QUEUED',
    reason: QUEUED_REASON,
    message,
    history: [...submitted.history, { state: 'QUEUED', at, reason: QUEUED_REASON, message }],
    statusShard: statusShard('QUEUED', submitted.jobId),
    admission,
  };
}

/** Admitted: PENDING, holding its charge from this very write (the store takes it with the write). */
export function admittedRecord(record: JobRecord, at: string): JobRecord | undefined {
  const admission = record.admission;
  if (record.state !== 'QUEUED' || !admission || record.suspension) return undefined;
  const waited = Math.round((Date.parse(at) - Date.parse(admission.queuedAt)) / 100) / 10;
  const next = transition(record, {
    state: 'PENDING',
    at,
    reason: 'Admitted',
    message: `admitted after ${waited}s in the queue`,
  });
  if (!next) return undefined;
  const { releasedAtVersion: _, ...rest } = admission;
  next.admission = { ...rest, heldAtVersion: next.version, admittedAt: at };
  return next;
}

/** Still QUEUED, with a new reason (a detail change: no history entry). */
export function waitingRecord(
  record: JobRecord,
  reason: string,
  message: string,
  at: string,
): JobRecord | undefined {
  if (record.state !== 'QUEUED') return undefined;
  return transition(record, { state: 'QUEUED', at, reason, message });
}

export function dependencyFailedRecord(
  record: JobRecord,
  dependency: { jobId: string; state: JobState | undefined },
  ctx: { at: string; retentionSeconds: number },
): JobRecord | undefined {
  const ended = dependency.state ? `ended ${dependency.state}` : 'has no record';
  return transition(record, {
    state: 'FAILED',
    at: ctx.at,
    reason: 'DependencyFailed',
    message: `dependency ${dependency.jobId} ${ended}`,
    retentionSeconds: ctx.retentionSeconds,
  });
}

/**
 * Suspended by a user: QUEUED with the suspension noted. A job that was admitted gives its charge
 * back (transition() does) and joins its queue anew; a job that never was under admission
 * (`admission` is what it would charge) comes under it, so that its resume goes through admission.
 */
export function suspendedRecord(
  record: JobRecord,
  suspension: Suspension,
  admission: Admission,
): JobRecord | undefined {
  if (isTerminal(record.state) || record.suspension) return undefined;
  const next = transition(record, {
    state: 'QUEUED',
    at: suspension.at,
    reason: 'Suspended',
    message: `suspended by ${suspension.by}${suspension.reason ? `: ${suspension.reason}` : ''}`,
  });
  if (!next) return undefined;
  next.suspension = suspension;
  if (record.state !== 'QUEUED')
    next.admission = { ...(next.admission ?? admission), queuedAt: suspension.at };
  delete next.pending;
  return next;
}

/** Resumed: still QUEUED, no longer suspended; admission takes it in its turn. */
export function resumedRecord(record: JobRecord, at: string): JobRecord | undefined {
  if (record.state !== 'QUEUED' || !record.suspension) return undefined;
  const next = transition(record, {
    state: 'QUEUED',
    at,
    reason: QUEUED_REASON,
    message: 'resumed; waiting for admission',
  });
  if (!next) return undefined;
  delete next.suspension;
  return next;
}
