import type { V1Job, V1JobCondition, V1Pod } from '@kubernetes/client-node';
import type { JobState } from '../job/state.ts';
import { truncateUtf8 } from '../text.ts';

/** What the Job and its pods say about a job, before it is compared with the record. */
export interface DerivedStatus {
  state: Exclude<JobState, 'SUBMITTED' | 'REJECTED' | 'LOST' | 'CANCELLED'>;
  /** A short machine code: `Completed`, `BackoffLimitExceeded`, `Unschedulable`, ... */
  reason?: string;
  message?: string;
  /** Set while the job waits: the pod's reason (or the Job's) and the detail. */
  pending?: { reason: string; message?: string };
}

/** Messages kept on the record and in events are bounded. */
export const STATUS_MESSAGE_BYTES = 1024;

/** Job condition reasons of a `Failed` condition that mean the deadline passed. */
const TIMED_OUT_REASONS = new Set(['DeadlineExceeded']);

/** Pending reasons this code sets itself (the others are the pod's own). */
export const PENDING_REASONS = {
  suspended: 'Suspended',
  podsNotCreated: 'PodsNotCreated',
  backoff: 'BackoffDelay',
  scheduling: 'Scheduling',
  starting: 'Starting',
} as const;

function trueCondition(job: V1Job, type: string): V1JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type && c.status === 'True');
}

function bounded(message: string | undefined): string | undefined {
  if (message === undefined || message === '') return undefined;
  return truncateUtf8(message, STATUS_MESSAGE_BYTES);
}

/** The Job's terminal condition, if the Job controller has set one. */
export function terminalCondition(job: V1Job): V1JobCondition | undefined {
  return trueCondition(job, 'Complete') ?? trueCondition(job, 'Failed');
}

/**
 * The state that the Job alone shows, and whether the pods are needed for the details
 * (a pending job's reason, a finished job's results). Used to list pods only for the jobs
 * that need them.
 */
export function needsPods(job: V1Job): boolean {
  // A finished Job's pods hold its results; a deleted one's, our finalizer to release.
  if (terminalCondition(job) || job.metadata?.deletionTimestamp) return true;
  if (trueCondition(job, 'Suspended')) return false;
  const status = job.status ?? {};
  const active = status.active ?? 0;
  if (active > 0) return status.ready === undefined || status.ready === 0;
  return (status.failed ?? 0) > 0;
}

function isActivePod(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

function podTime(pod: V1Pod): number {
  const t = pod.metadata?.creationTimestamp;
  return t ? new Date(t).getTime() : 0;
}

/** Pods newest first (creation time, then name for a stable order). */
export function newestFirst(pods: readonly V1Pod[]): V1Pod[] {
  return [...pods].sort(
    (a, b) => podTime(b) - podTime(a) || (b.metadata?.name ?? '').localeCompare(a.metadata?.name ?? ''),
  );
}

/** Why a pod that is not running yet waits: the scheduler's verdict, then the containers'. */
export function podWaitingReason(pod: V1Pod): { reason: string; message?: string } | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled && scheduled.status === 'False') {
    return { reason: scheduled.reason ?? 'Unschedulable', message: bounded(scheduled.message) };
  }
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const status of statuses) {
    const waiting = status.state?.waiting;
    if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      return { reason: waiting.reason, message: bounded(waiting.message) };
    }
  }
  if (!scheduled) return { reason: PENDING_REASONS.scheduling };
  if (pod.status?.reason) return { reason: pod.status.reason, message: bounded(pod.status.message) };
  return { reason: PENDING_REASONS.starting };
}

function hasRunningContainer(pod: V1Pod): boolean {
  return (pod.status?.containerStatuses ?? []).some((s) => s.state?.running !== undefined);
}

function lastFailure(pods: readonly V1Pod[]): string | undefined {
  for (const pod of newestFirst(pods)) {
    if (pod.status?.phase !== 'Failed') continue;
    const terminated = pod.status.containerStatuses?.find((s) => s.state?.terminated)?.state?.terminated;
    const parts = [`pod ${pod.metadata?.name ?? '?'} failed`];
    if (terminated) parts.push(`exit code ${terminated.exitCode}`);
    const detail = terminated?.message ?? terminated?.reason ?? pod.status.reason;
    if (detail) parts.push(detail);
    return bounded(parts.join(': '));
  }
  return undefined;
}

/**
 * The status of a job from its Job and (when `needsPods(job)`) its pods.
 *
 * Terminal states come only from the Job controller's final conditions (`Complete`,
 * `Failed`), which it sets once every pod has terminated, so the results read next are final.
 * `SuccessCriteriaMet` and `FailureTarget` (the outcome is decided, pods are being stopped)
 * keep the active state with that reason.
 */
export function deriveJobStatus(job: V1Job, pods: readonly V1Pod[] = []): DerivedStatus {
  const complete = trueCondition(job, 'Complete');
  if (complete)
    return { state: 'SUCCEEDED', reason: complete.reason || 'Completed', message: bounded(complete.message) };
  const failed = trueCondition(job, 'Failed');
  if (failed) {
    const reason = failed.reason || 'Failed';
    return {
      state: TIMED_OUT_REASONS.has(reason) ? 'TIMED_OUT' : 'FAILED',
      reason,
      message: bounded(failed.message),
    };
  }

  const status = job.status ?? {};
  const decided = trueCondition(job, 'FailureTarget') ?? trueCondition(job, 'SuccessCriteriaMet');
  const suspended = trueCondition(job, 'Suspended');
  if (suspended) {
    return {
      state: 'PENDING',
      reason: PENDING_REASONS.suspended,
      pending: { reason: PENDING_REASONS.suspended, message: bounded(suspended.message) },
    };
  }

  const active = status.active ?? 0;
  const activePods = newestFirst(pods.filter(isActivePod));
  const running = (status.ready ?? 0) > 0 || activePods.some(hasRunningContainer);
  if (decided) {
    return {
      state: running || active > 0 ? 'RUNNING' : 'PENDING',
      reason: decided.type,
      message: bounded(decided.message),
    };
  }
  if (running) return { state: 'RUNNING' };

  if (active > 0 || activePods.length > 0) {
    // Every active pod waits; the newest pod speaks for the job.
    const waiting = activePods[0] ? podWaitingReason(activePods[0]) : undefined;
    const pending = waiting ?? { reason: PENDING_REASONS.scheduling };
    return { state: 'PENDING', reason: pending.reason, message: pending.message, pending };
  }
  if ((status.failed ?? 0) > 0) {
    const pending = { reason: PENDING_REASONS.backoff, message: lastFailure(pods) };
    return { state: 'PENDING', reason: pending.reason, message: pending.message, pending };
  }
  const pending = { reason: PENDING_REASONS.podsNotCreated };
  return { state: 'PENDING', reason: pending.reason, pending };
}
