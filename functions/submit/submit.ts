import { KubeError } from '../../shared/adapters/kubernetes/errors.ts';
import type { StateChangeEvent } from '../../shared/core/job/events.ts';
import { ANNOTATIONS } from '../../shared/core/job/labels.ts';
import { jobName } from '../../shared/core/job/name.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { transition } from '../../shared/core/job/transition.ts';
import { kubeRule } from '../../shared/core/kube-failure.ts';
import { renderJob } from '../../shared/core/submit/manifest.ts';
import type { Parsed } from '../../shared/core/submit/parse-request.ts';
import { REJECTION, submittedRecord } from '../../shared/core/submit/records.ts';
import { resolve } from '../../shared/core/submit/resolve.ts';
import { decideOnExisting } from '../../shared/core/submit/submit-plan.ts';
import type { BatchScope, Log, Outcome, SubmitDeps } from './deps.ts';
import { RetryLater } from './deps.ts';
import { noteTransition } from './events.ts';
import { kubeRetry } from './kube-calls.ts';
import { recordConflict, recordRejection } from './reject.ts';

type SubmitParsed = Extract<Parsed, { kind: 'submit' }>;

/**
 * One submit: policy -> the record (the one write of the normal path, conditional on the jobId)
 * -> the Job. A redelivery finds the record and re-creates the Job, where a 409 on a Job that
 * carries our request hash is success.
 */
export async function submit(
  deps: SubmitDeps,
  log: Log,
  parsed: SubmitParsed,
  messageId: string,
  deadline: number,
  events: StateChangeEvent[],
  scope?: BatchScope,
): Promise<Outcome> {
  const { request, jobId, hash } = parsed;
  const { spec, reasons } = resolve(request, deps.policy);
  if (reasons.length > 0) {
    return recordRejection(deps, log, {
      key: jobId,
      owner: request.owner,
      reason: REJECTION.policy,
      reasons,
      hash,
      request,
      messageId,
      events,
    });
  }
  const at = deps.now().toISOString();
  const name = jobName(jobId);
  const record = submittedRecord({
    jobId,
    owner: request.owner,
    at,
    namespace: spec.namespace,
    jobName: name,
    requestHash: hash,
    request,
    sourceMessageId: messageId,
  });
  const created = await deps.store.create(record);
  let current: JobRecord = record;
  if (!created.created) {
    const decision = decideOnExisting(created.existing, hash);
    if (decision.action === 'conflict') {
      return recordConflict(deps, log, {
        key: jobId,
        owner: request.owner,
        reason: REJECTION.conflict,
        reasons: [],
        hash,
        request,
        messageId,
        existing: created.existing,
        events,
      });
    }
    if (decision.action === 'done') {
      log.info('record exists, nothing to create', { why: decision.why, state: created.existing.state });
      if (decision.why !== 'cancelled') return 'Duplicate';
      // Our own record was cancelled: make sure no Job of ours outlives it (an earlier delivery may
      // have created it just before the cancel); idempotent, a 404 is fine.
      const { namespace, jobName: existingName, requestHash } = created.existing;
      if (namespace && existingName && requestHash === hash)
        await deleteJob(deps, log, namespace, existingName, deadline);
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
  });
  const namespace = job.metadata?.namespace as string;
  const jobNameRendered = job.metadata?.name as string;
  let outcome: Outcome = created.created ? 'Accepted' : 'Duplicate';
  try {
    const { warnings } = await kubeRetry(deps, log, deadline, 'createJob', () => deps.kube.createJob(job));
    const podSecurity = warnings.find((w) => /would violate PodSecurity/i.test(w));
    if (podSecurity) {
      // PodSecurity enforces on pods, so the Job was admitted but none of its pods ever would be.
      await deleteJob(deps, log, namespace, jobNameRendered, deadline);
      return refuse(deps, log, current, { rule: 'kube.pod_security', message: podSecurity }, events);
    }
    if (!created.created) outcome = 'Accepted';
    log.info('job created', { namespace, jobName: jobNameRendered, redelivery: !created.created, warnings });
  } catch (error) {
    if (!(error instanceof KubeError)) throw error;
    if (error.kind === 'already-exists') {
      const existing = await kubeRetry(deps, log, deadline, 'readJob', () =>
        deps.kube.readJob(namespace, jobNameRendered),
      ).catch((e: unknown) => {
        throw new RetryLater('reading the existing Job failed', { cause: e });
      });
      const theirs = existing?.metadata?.annotations?.[ANNOTATIONS.requestHash];
      if (existing && theirs !== hash) {
        return refuse(
          deps,
          log,
          current,
          {
            rule: 'kube.name_conflict',
            message: `Job ${namespace}/${jobNameRendered} exists with another request hash (${theirs ?? 'none'})`,
          },
          events,
        );
      }
      if (!existing) throw new RetryLater('the Job was reported to exist but is gone; retry the create');
      outcome = 'Duplicate';
      log.info('job already exists with our request hash', { namespace, jobName: jobNameRendered });
    } else if (error.kind === 'permanent') {
      return refuse(
        deps,
        log,
        current,
        { rule: kubeRule(error.failure), message: error.failure.message },
        events,
      );
    } else {
      throw new RetryLater(`creating the Job failed: ${error.message}`, { cause: error });
    }
  }
  if (scope) {
    scope.created.push({ jobId, namespace, jobName: jobNameRendered, messageId, log });
    return outcome;
  }
  return (await cleanUpIfCancelled(deps, log, jobId, namespace, jobNameRendered, deadline)) ?? outcome;
}

/** A permanent refusal from Kubernetes: the record becomes REJECTED with the API's message. */
async function refuse(
  deps: SubmitDeps,
  log: Log,
  record: JobRecord,
  why: { rule: string; message: string },
  events: StateChangeEvent[],
): Promise<Outcome> {
  const reasons = [{ path: '', rule: why.rule, message: why.message }];
  let current: JobRecord | undefined = record;
  for (let attempt = 0; attempt < 3 && current; attempt++) {
    const next = transition(current, {
      state: 'REJECTED',
      at: deps.now().toISOString(),
      reason: REJECTION.kube,
      message: why.message,
      retentionSeconds: deps.policy.recordRetentionSeconds,
    });
    if (!next) break; // the record moved to a terminal state meanwhile (e.g. cancelled): leave it
    next.reasons = reasons;
    if (await deps.store.replace(next)) {
      noteTransition(events, next, current);
      log.warn('kubernetes refused the job', { rule: why.rule, message: why.message });
      return 'KubeRefused';
    }
    current = await deps.store.get(record.jobId);
  }
  log.warn('kubernetes refused the job; the record had moved on', { rule: why.rule, message: why.message });
  return 'KubeRefused';
}

/**
 * A cancel may land between our record write and the Job create (it wrote CANCELLED and found no
 * Job to delete). One consistent read after the create closes that window: the cancel's write came
 * before its delete, so if our create came after that delete, this read sees CANCELLED.
 */
async function cleanUpIfCancelled(
  deps: SubmitDeps,
  log: Log,
  jobId: string,
  namespace: string,
  name: string,
  deadline: number,
): Promise<Outcome | undefined> {
  const now = await deps.store.get(jobId);
  if (now?.state !== 'CANCELLED') return undefined;
  await deleteJob(deps, log, namespace, name, deadline);
  log.warn('job was cancelled while it was being created; deleted it', { namespace, jobName: name });
  return 'CancelRaceCleaned';
}

export async function deleteJob(
  deps: SubmitDeps,
  log: Log,
  namespace: string,
  name: string,
  deadline: number,
): Promise<'deleted' | 'not-found'> {
  try {
    return await kubeRetry(deps, log, deadline, 'deleteJob', () => deps.kube.deleteJob(namespace, name));
  } catch (error) {
    if (error instanceof KubeError && error.kind === 'permanent') throw error;
    throw new RetryLater(`deleting Job ${namespace}/${name} failed`, { cause: error });
  }
}
