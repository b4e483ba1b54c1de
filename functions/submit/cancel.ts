import { KubeError } from '../../shared/adapters/kubernetes/errors.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import type { KubeJobs } from '../../shared/core/ports.ts';
import { cancelRefusal } from '../../shared/core/submit/authorize.ts';
import { planCancel } from '../../shared/core/submit/cancel-plan.ts';
import type { Parsed } from '../../shared/core/submit/parse-request.ts';
import type { JobRef } from '../../shared/core/submit/records.ts';
import { conflict, done, optimisticUpdate } from '../../shared/runtime/optimistic-update.ts';
import { type MessageContext, type Outcome, RetryLater } from './deps.ts';
import { recordUnauthorized } from './reject.ts';

const MAX_ROUNDS = 5;

/**
 * One cancel. Only a sender that acts for the record's owner may cancel it (authorize.ts); any
 * other is refused, recorded under the message id, and the record is left as it is. The record is
 * written CANCELLED first (only from an active state, version-checked), then the Job is deleted;
 * a submit that creates its Job after that delete sees CANCELLED on its check read and deletes it.
 * No record yet: a CANCELLED tombstone.
 */
export async function cancel(
  ctx: MessageContext,
  { request, hash }: Extract<Parsed, { kind: 'cancel' }>,
): Promise<Outcome> {
  const { deps, log, senderId } = ctx;
  return optimisticUpdate<JobRecord | undefined, Outcome>({
    initial: await deps.store.get(request.jobId),
    rounds: MAX_ROUNDS,
    step: async (existing) => {
      // Checked on every round: a record written meanwhile is the one the sender must act for.
      const refusal = cancelRefusal(deps.policy.principals, senderId, existing);
      if (refusal)
        return done(
          await recordUnauthorized(ctx, { owner: request.requestedBy, reasons: [refusal], hash, request }),
        );
      const plan = planCancel(existing, request, {
        at: deps.now().toISOString(),
        sourceMessageId: ctx.messageId,
        retentionSeconds: deps.policy.recordRetentionSeconds,
        senderId,
      });
      switch (plan.action) {
        case 'tombstone': {
          const written = await deps.store.create(plan.record);
          // A submit wrote its record meanwhile: cancel that one.
          if (!written.created) return conflict(written.existing);
          log.info('cancelled before submit: tombstone written', { by: request.requestedBy });
          return done('CancelBeforeSubmit');
        }
        case 'cancel': {
          if (!(await deps.store.replace(plan.next))) return conflict(await deps.store.get(request.jobId));
          const deleted = plan.job ? await deleteJob(deps.kube, plan.job, ctx.deadline) : 'not-found';
          log.info('job cancelled', {
            by: request.requestedBy,
            reason: request.reason,
            from: existing?.state,
            deleted,
          });
          return done('CancelApplied');
        }
        case 'already-cancelled':
          // Idempotent: a redelivered cancel finishes a delete that an earlier attempt may not have done.
          if (plan.job) await deleteJob(deps.kube, plan.job, ctx.deadline);
          log.info('already cancelled', { by: plan.existing.cancellation?.by });
          return done('CancelRepeated');
        case 'ignore':
          log.info('cancel ignored: the job already finished', {
            state: plan.existing.state,
            by: request.requestedBy,
          });
          return done('CancelIgnored');
      }
    },
    exhausted: () => {
      throw new RetryLater(`cancel of ${request.jobId} lost ${MAX_ROUNDS} races for its record`);
    },
  });
}

/**
 * Deletes a Job (a 404 is fine). A permanent refusal is thrown as it is; anything else, the
 * client's retries spent, is left for a redelivery.
 */
export async function deleteJob(
  kube: KubeJobs,
  job: JobRef,
  deadline: number,
): Promise<'deleted' | 'not-found'> {
  try {
    return await kube.deleteJob(job.namespace, job.jobName, { deadline });
  } catch (error) {
    if (error instanceof KubeError && error.kind === 'permanent') throw error;
    throw new RetryLater(`deleting Job ${job.namespace}/${job.jobName} failed`, { cause: error });
  }
}
