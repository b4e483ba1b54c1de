import type { JobRecord } from '../job/record.ts';
import { isTerminal } from '../job/state.ts';
import { transition } from '../job/transition.ts';
import { type JobRef, jobOf, tombstoneRecord } from './records.ts';
import type { CancelRequest } from './request-schema.ts';

export type CancelPlan =
  /** No record: write a CANCELLED tombstone so a later submit creates no Job. */
  | { action: 'tombstone'; record: JobRecord }
  /** Active: move the record to CANCELLED (version-checked), then delete its Job, if it names one. */
  | { action: 'cancel'; next: JobRecord; job?: JobRef }
  /** Already CANCELLED (a redelivery, or an earlier cancel): delete the Job again, idempotent. */
  | { action: 'already-cancelled'; existing: JobRecord; job?: JobRef }
  /** Finished in another terminal state: nothing to cancel; the outcome is logged and counted. */
  | { action: 'ignore'; existing: JobRecord };

export function planCancel(
  existing: JobRecord | undefined,
  cancel: CancelRequest,
  ctx: { at: string; sourceMessageId: string; retentionSeconds: number; senderId?: string },
): CancelPlan {
  if (!existing) {
    return {
      action: 'tombstone',
      record: tombstoneRecord({
        jobId: cancel.jobId,
        by: cancel.requestedBy,
        senderId: ctx.senderId,
        reason: cancel.reason,
        at: ctx.at,
        sourceMessageId: ctx.sourceMessageId,
        retentionSeconds: ctx.retentionSeconds,
      }),
    };
  }
  if (existing.state === 'CANCELLED') return { action: 'already-cancelled', existing, job: jobOf(existing) };
  if (isTerminal(existing.state)) return { action: 'ignore', existing };
  const next = transition(existing, {
    state: 'CANCELLED',
    at: ctx.at,
    reason: 'Cancelled',
    message: cancel.reason ?? `cancelled by ${cancel.requestedBy}`,
    retentionSeconds: ctx.retentionSeconds,
  });
  if (!next) return { action: 'ignore', existing };
  next.cancellation = { by: cancel.requestedBy, senderId: ctx.senderId, reason: cancel.reason, at: ctx.at };
  delete next.pending;
  return { action: 'cancel', next, job: jobOf(next) };
}
