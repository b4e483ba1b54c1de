import { admissionOf } from '../../shared/core/admission/admission-of.ts';
import { resumedRecord, suspendedRecord } from '../../shared/core/admission/records.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { cancelRefusal } from '../../shared/core/submit/authorize.ts';
import type { Parsed } from '../../shared/core/submit/parse-request.ts';
import { isTombstone, jobOf, REJECTION } from '../../shared/core/submit/records.ts';
import type { SubmitRequest } from '../../shared/core/submit/request-schema.ts';
import { resolve } from '../../shared/core/submit/resolve.ts';
import { conflict, done, optimisticUpdate } from '../../shared/runtime/optimistic-update.ts';
import { type MessageContext, type Outcome, RetryLater } from './deps.ts';
import { recordRejection, recordUnauthorized } from './reject.ts';

const MAX_ROUNDS = 5;

type Control = Extract<Parsed, { kind: 'suspend' | 'resume' }>;

/**
 * Suspend or resume (docs/admission.md). Who may is who may cancel (authorize.ts). A suspend writes
 * the record first (QUEUED, the suspension noted, an admitted job's quota given back) and then
 * suspends the Job; a redelivery, or reconcile, finishes a suspend cut short between the two. A
 * resume clears the suspension; the batch's admission pass then admits it in its turn.
 */
export async function suspendOrResume(ctx: MessageContext, parsed: Control): Promise<Outcome> {
  const { deps, log, senderId } = ctx;
  const { request, hash } = parsed;
  return optimisticUpdate<JobRecord | undefined, Outcome>({
    initial: await deps.store.get(request.jobId),
    rounds: MAX_ROUNDS,
    step: async (existing) => {
      const refusal = cancelRefusal(deps.policy.principals, senderId, existing);
      if (refusal)
        return done(
          await recordUnauthorized(ctx, { owner: request.requestedBy, reasons: [refusal], hash, request }),
        );
      if (!existing || isTombstone(existing)) {
        const reasons = [
          {
            path: 'jobId',
            rule: 'request.unknown_job',
            message: `no job ${request.jobId} to ${parsed.kind}`,
          },
        ];
        return done(
          await recordRejection(ctx, {
            key: ctx.messageId,
            owner: request.requestedBy,
            reason: REJECTION.invalid,
            reasons,
            hash,
            request,
          }),
        );
      }
      if (isTerminal(existing.state)) {
        log.info(`${parsed.kind} ignored: the job already finished`, { state: existing.state });
        return done('ControlIgnored');
      }
      const at = deps.now().toISOString();
      if (parsed.kind === 'resume') {
        const next = resumedRecord(existing, at);
        if (!next) return done('ControlIgnored');
        if (!(await deps.store.replace(next))) return conflict(await deps.store.get(request.jobId));
        ctx.scope.queued = true;
        log.info('job resumed', { by: request.requestedBy });
        return done('Resumed');
      }
      if (existing.suspension) {
        await suspendJob(ctx, existing);
        return done('SuspendRepeated');
      }
      const suspension = { by: request.requestedBy, senderId, reason: request.reason, at };
      const next = suspendedRecord(
        existing,
        suspension,
        existing.admission ?? admissionNow(ctx, existing, at),
      );
      if (!next) return done('ControlIgnored');
      if (!(await deps.store.replace(next))) return conflict(await deps.store.get(request.jobId));
      await suspendJob(ctx, next);
      log.info('job suspended', { by: request.requestedBy, from: existing.state });
      return done('Suspended');
    },
    exhausted: () => {
      throw new RetryLater(`${parsed.kind} of ${request.jobId} lost ${MAX_ROUNDS} races for its record`);
    },
  });
}

/** What a job that was never under admission charges from now on: its request, resolved anew. */
function admissionNow(ctx: MessageContext, record: JobRecord, at: string) {
  // A record cut to its size budget may have lost its request: then it charges one job and next to no resources.
  const request = (record.request ?? {
    owner: record.owner,
    resources: { cpu: '1m', memory: '1' },
  }) as SubmitRequest;
  const { spec } = resolve(request, ctx.deps.policy);
  return admissionOf(
    request,
    { ...spec, namespace: record.namespace ?? spec.namespace },
    ctx.deps.policy.admission,
    at,
  ).admission;
}

async function suspendJob(ctx: MessageContext, record: JobRecord): Promise<void> {
  const job = jobOf(record);
  if (!job) return;
  try {
    await ctx.deps.kube.setSuspended(job.namespace, job.jobName, true, { deadline: ctx.deadline });
  } catch (error) {
    throw new RetryLater(`suspending Job ${job.namespace}/${job.jobName} failed`, { cause: error });
  }
}
