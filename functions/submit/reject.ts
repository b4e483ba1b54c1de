import type { JobRecord, Reason } from '../../shared/core/job/record.ts';
import { REJECTION, rejectedRecord } from '../../shared/core/submit/records.ts';
import { conflictReasons } from '../../shared/core/submit/submit-plan.ts';
import type { MessageContext, Outcome } from './deps.ts';

/** A refused request, recorded as REJECTED under `key`. */
export interface Rejection {
  key: string;
  owner: string;
  reason: string;
  reasons: Reason[];
  hash: string;
  request?: unknown;
}

/**
 * Records a refusal as a REJECTED record (one conditional put). If the key already holds the same
 * request, this is a redelivery. If it holds another request, the jobId is taken (recordConflict).
 */
export async function recordRejection(ctx: MessageContext, rejection: Rejection): Promise<Outcome> {
  const at = ctx.deps.now().toISOString();
  const record = rejectedAt(ctx, rejection, at);
  const first = await ctx.deps.store.create(record);
  if (first.created) {
    ctx.log.warn('request rejected', { reason: rejection.reason, reasons: rejection.reasons });
    return 'Rejected';
  }
  if (first.existing.requestHash === rejection.hash) {
    ctx.log.info('rejection already recorded (redelivery)', { state: first.existing.state });
    return 'Duplicate';
  }
  return recordConflict(ctx, rejection, first.existing, at);
}

/**
 * A message its sender may not send (authorize.ts): REJECTED `NotAuthorized`, always under the
 * message id, so that a sender never takes a jobId of an owner it may not act for. A redelivery
 * finds it (same hash) and is a duplicate.
 */
export async function recordUnauthorized(
  ctx: MessageContext,
  rejection: Omit<Rejection, 'key' | 'reason'>,
): Promise<Outcome> {
  const outcome = await recordRejection(ctx, {
    ...rejection,
    key: ctx.messageId,
    reason: REJECTION.unauthorized,
  });
  return outcome === 'Rejected' ? 'NotAuthorized' : outcome;
}

/**
 * Another request holds the jobId: the refusal is recorded under the message id instead, with a
 * `request.conflict` reason, and the existing record is left as it is.
 */
export async function recordConflict(
  ctx: MessageContext,
  rejection: Rejection,
  existing: JobRecord,
  at = ctx.deps.now().toISOString(),
): Promise<Outcome> {
  const { log, messageId } = ctx;
  log.warn('jobId conflict: a different request holds this jobId', {
    existingState: existing.state,
    existingHash: existing.requestHash,
    requestHash: rejection.hash,
    recordedUnder: messageId,
  });
  // The message id is the key that holds the other request: there is nowhere else to record it.
  if (rejection.key === messageId) return 'Conflict';
  const notice = rejectedAt(
    ctx,
    {
      ...rejection,
      key: messageId,
      reason: REJECTION.conflict,
      reasons: conflictReasons(rejection.key, existing, rejection.reasons),
    },
    at,
  );
  const written = await ctx.deps.store.create(notice);
  if (!written.created && written.existing.requestHash !== rejection.hash)
    log.error('message id already holds another record', { messageId });
  return 'Conflict';
}

function rejectedAt(ctx: MessageContext, rejection: Rejection, at: string): JobRecord {
  return rejectedRecord({
    jobId: rejection.key,
    owner: rejection.owner,
    at,
    reason: rejection.reason,
    reasons: rejection.reasons,
    requestHash: rejection.hash,
    request: rejection.request,
    sourceMessageId: ctx.messageId,
    retentionSeconds: ctx.deps.policy.recordRetentionSeconds,
  });
}
