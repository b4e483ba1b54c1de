import type { V1Job } from '@kubernetes/client-node';
import { ANNOTATIONS } from '../job/labels.ts';
import type { JobRecord, Reason } from '../job/record.ts';
import { isTerminal } from '../job/state.ts';
import { transition } from '../job/transition.ts';
import { type KubeFailure, kubeRule } from '../kube-failure.ts';
import { tombstoneRefusal } from './authorize.ts';
import type { Principal } from './policy.ts';
import { isTombstone, type JobRef, jobOf, REJECTION } from './records.ts';

/** What a submit does when the conditional put finds a record under its jobId. */
export type ExistingDecision =
  /** Same request, no Job seen yet: (re)create it; a 409 carrying our hash is success. */
  | { action: 'create-job' }
  /** Same request, already past SUBMITTED or finished: nothing to do (a duplicate delivery). */
  | { action: 'done'; why: 'duplicate-progressed' | 'duplicate-terminal' }
  /**
   * A cancel came first (tombstone) or the job was cancelled: never create a Job. `job` is ours, and
   * an earlier delivery may have created it just before the cancel: it is deleted (idempotent).
   */
  | { action: 'done'; why: 'cancelled'; job?: JobRef }
  /**
   * Another request holds this jobId: refuse, never overwrite. `reasons`: why, besides the
   * conflict (a tombstone another team's sender wrote).
   */
  | { action: 'conflict'; reasons?: Reason[] };

/**
 * `who` is the submit's owner and the policy's principals: a tombstone holds the submit only if
 * its cancel's sender could have cancelled that owner's job (authorize.ts).
 */
export function decideOnExisting(
  existing: JobRecord,
  hash: string,
  who: { owner: string; principals: readonly Principal[] },
): ExistingDecision {
  if (isTombstone(existing)) {
    const refusal = tombstoneRefusal(who.principals, existing, who.owner);
    return refusal ? { action: 'conflict', reasons: [refusal] } : { action: 'done', why: 'cancelled' };
  }
  if (existing.requestHash !== hash) return { action: 'conflict' };
  if (existing.state === 'CANCELLED') return { action: 'done', why: 'cancelled', job: jobOf(existing) };
  if (existing.state === 'SUBMITTED' || existing.state === 'QUEUED') return { action: 'create-job' };
  // Admission may have moved the record on before an earlier delivery created the Job: create it
  // again (a 409 carrying our hash is success).
  if (existing.admission && !isTerminal(existing.state)) return { action: 'create-job' };
  return { action: 'done', why: isTerminal(existing.state) ? 'duplicate-terminal' : 'duplicate-progressed' };
}

/**
 * The reasons of the notice recorded, under its message id, for a request whose jobId another
 * request holds: the conflict first, then why the request would have been refused anyway.
 */
export function conflictReasons(jobId: string, existing: JobRecord, reasons: readonly Reason[]): Reason[] {
  const conflict: Reason = {
    path: 'jobId',
    rule: 'request.conflict',
    message: `jobId ${jobId} already holds a different request (state ${existing.state}); it is left unchanged`,
  };
  return [conflict, ...reasons];
}

/** Why Kubernetes refused a Job for good: the REJECTED reason's rule id and the API's words. */
export interface KubeRefusal {
  rule: string;
  message: string;
}

export function failureRefusal(failure: KubeFailure): KubeRefusal {
  return { rule: kubeRule(failure), message: failure.message };
}

/**
 * PodSecurity enforces on pods, not Jobs: a Job it warns about is admitted, but none of its pods
 * ever would be, so the warning is a refusal.
 */
export function podSecurityRefusal(warnings: readonly string[]): KubeRefusal | undefined {
  const warning = warnings.find((w) => /would violate PodSecurity/i.test(w));
  return warning === undefined ? undefined : { rule: 'kube.pod_security', message: warning };
}

/** Whose Job a create that answered 409 AlreadyExists ran into, told by its request hash annotation. */
export type ExistingJob =
  /** Ours, from an earlier delivery: the create is done. */
  | { kind: 'ours' }
  /** Another request's under our name: a permanent refusal. */
  | { kind: 'conflict'; refusal: KubeRefusal }
  /** Deleted between the 409 and the read: the create is worth another try. */
  | { kind: 'gone' };

export function judgeExistingJob(job: V1Job | undefined, hash: string, ref: JobRef): ExistingJob {
  if (!job) return { kind: 'gone' };
  const theirs = job.metadata?.annotations?.[ANNOTATIONS.requestHash];
  if (theirs === hash) return { kind: 'ours' };
  return {
    kind: 'conflict',
    refusal: {
      rule: 'kube.name_conflict',
      message: `Job ${ref.namespace}/${ref.jobName} exists with another request hash (${theirs ?? 'none'})`,
    },
  };
}

/**
 * The record REJECTED for a Kubernetes refusal; undefined when it may no longer move there (it
 * became terminal meanwhile, e.g. cancelled), and then it is left as it is.
 */
export function refusedRecord(
  current: JobRecord,
  refusal: KubeRefusal,
  ctx: { at: string; retentionSeconds: number },
): JobRecord | undefined {
  const next = transition(current, {
    state: 'REJECTED',
    at: ctx.at,
    reason: REJECTION.kube,
    message: refusal.message,
    retentionSeconds: ctx.retentionSeconds,
  });
  if (next) next.reasons = [{ path: '', rule: refusal.rule, message: refusal.message }];
  return next;
}
