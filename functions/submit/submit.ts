import type { V1Job } from '@kubernetes/client-node';
import { KubeError } from '../../shared/adapters/kubernetes/errors.ts';
import { queuedRecord } from '../../shared/core/admission/records.ts';
import { jobName } from '../../shared/core/job/name.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { renderJob } from '../../shared/core/submit/manifest.ts';
import type { Parsed } from '../../shared/core/submit/parse-request.ts';
import { REJECTION, submittedRecord } from '../../shared/core/submit/records.ts';
import { resolve } from '../../shared/core/submit/resolve.ts';
import {
  decideOnExisting,
  failureRefusal,
  judgeExistingJob,
  type KubeRefusal,
  podSecurityRefusal,
  refusedRecord,
} from '../../shared/core/submit/submit-plan.ts';
import { conflict, done, optimisticUpdate } from '../../shared/runtime/optimistic-update.ts';
import { admissionOfSubmit } from './admission.ts';
import { deleteJob } from './cancel.ts';
import { type MessageContext, type Outcome, RetryLater } from './deps.ts';
import { recordConflict, recordRejection } from './reject.ts';

type SubmitParsed = Extract<Parsed, { kind: 'submit' }>;

/** Attempts at writing a refusal before the record is taken to have moved on. */
const REFUSE_ATTEMPTS = 3;

/**
 * One submit: policy -> the record (the one write of the normal path, conditional on the jobId)
 * -> the Job. A redelivery finds the record and re-creates the Job, where a 409 on a Job that
 * carries our request hash is success.
 */
export async function submit(ctx: MessageContext, parsed: SubmitParsed): Promise<Outcome> {
  const { deps, log, messageId } = ctx;
  const { request, jobId, hash } = parsed;
  const { spec, reasons } = resolve(request, deps.policy);
  const refused = { key: jobId, owner: request.owner, hash, request };
  if (reasons.length > 0) return recordRejection(ctx, { ...refused, reason: REJECTION.policy, reasons });
  const admitting = await admissionOfSubmit(ctx, request, spec);
  if (admitting.reasons.length > 0)
    return recordRejection(ctx, { ...refused, reason: REJECTION.policy, reasons: admitting.reasons });
  const name = jobName(jobId);
  const submitted = submittedRecord({
    jobId,
    owner: request.owner,
    at: deps.now().toISOString(),
    namespace: spec.namespace,
    jobName: name,
    requestHash: hash,
    request,
    sourceMessageId: messageId,
  });
  const record = admitting.admission ? queuedRecord(submitted, admitting.admission) : submitted;
  const created = await deps.store.create(record);
  let current: JobRecord = record;
  if (!created.created) {
    const decision = decideOnExisting(created.existing, hash, {
      owner: request.owner,
      principals: deps.policy.principals,
    });
    if (decision.action === 'conflict') {
      const reasons = decision.reasons ?? [];
      return recordConflict(ctx, { ...refused, reason: REJECTION.conflict, reasons }, created.existing);
    }
    if (decision.action === 'done') {
      log.info('record exists, nothing to create', { why: decision.why, state: created.existing.state });
      if (decision.why !== 'cancelled') return 'Duplicate';
      if (decision.job) await deleteJob(deps.kube, decision.job, ctx.deadline);
      return 'SubmitAfterCancel';
    }
    current = created.existing;
  }

  // The manifest is rendered from the stored record's identity, so that every delivery renders the same Job.
  const job = renderJob({
    jobId,
    jobName: current.jobName ?? name,
    owner: request.owner,
    request,
    spec: { ...spec, namespace: current.namespace ?? spec.namespace },
    policy: deps.policy,
    requestHash: hash,
    submittedAt: current.createdAt,
    sourceMessageId: current.sourceMessageId ?? messageId,
    suspend: current.state === 'QUEUED',
  });
  if (current.state === 'QUEUED') ctx.scope.queued = true;
  return createJob(ctx, current, job, { hash, redelivery: !created.created });
}

/** Creates the Job of `record`; the Jobs it creates are checked against cancels with the batch. */
async function createJob(
  ctx: MessageContext,
  record: JobRecord,
  job: V1Job,
  { hash, redelivery }: { hash: string; redelivery: boolean },
): Promise<Outcome> {
  const { deps, log, deadline } = ctx;
  const ref = { namespace: job.metadata?.namespace as string, jobName: job.metadata?.name as string };
  let outcome: Outcome;
  try {
    const { warnings } = await deps.kube.createJob(job, { deadline });
    const podSecurity = podSecurityRefusal(warnings);
    if (podSecurity) {
      await deleteJob(deps.kube, ref, deadline);
      return refuse(ctx, record, podSecurity);
    }
    outcome = 'Accepted';
    log.info('job created', { ...ref, redelivery, warnings });
  } catch (error) {
    if (!(error instanceof KubeError)) throw error;
    if (error.kind === 'permanent') return refuse(ctx, record, failureRefusal(error.failure));
    if (error.kind !== 'already-exists')
      throw new RetryLater(`creating the Job failed: ${error.message}`, { cause: error });
    const existing = await deps.kube.readJob(ref.namespace, ref.jobName, { deadline }).catch((e: unknown) => {
      throw new RetryLater('reading the existing Job failed', { cause: e });
    });
    const judged = judgeExistingJob(existing, hash, ref);
    if (judged.kind === 'conflict') return refuse(ctx, record, judged.refusal);
    if (judged.kind === 'gone')
      throw new RetryLater('the Job was reported to exist but is gone; retry the create');
    outcome = 'Duplicate';
    log.info('job already exists with our request hash', ref);
  }
  ctx.scope.created.push({ jobId: record.jobId, ...ref, messageId: ctx.messageId, log });
  return outcome;
}

/** A permanent refusal from Kubernetes: the record becomes REJECTED with the API's message. */
function refuse(ctx: MessageContext, record: JobRecord, refusal: KubeRefusal): Promise<Outcome> {
  const { deps, log } = ctx;
  const movedOn = (): Outcome => {
    log.warn('kubernetes refused the job; the record had moved on', { ...refusal });
    return 'KubeRefused';
  };
  return optimisticUpdate<JobRecord | undefined, Outcome>({
    initial: record,
    rounds: REFUSE_ATTEMPTS,
    step: async (current) => {
      const next =
        current &&
        refusedRecord(current, refusal, {
          at: deps.now().toISOString(),
          retentionSeconds: deps.policy.recordRetentionSeconds,
        });
      if (!next) return done(movedOn());
      if (!(await deps.store.replace(next))) return conflict(await deps.store.get(record.jobId));
      log.warn('kubernetes refused the job', { ...refusal });
      return done('KubeRefused');
    },
    exhausted: movedOn,
  });
}
