import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import type { JobResult, PodResult } from '../job/record.ts';
import { tailUtf8, truncateUtf8 } from '../text.ts';
import { newestFirst, podWaitingReason, terminalCondition } from './status.ts';

export const COMPLETION_INDEX = 'batch.kubernetes.io/job-completion-index';

/** A pod's result, plus why its log tail is missing when it could not be read. */
export interface ReconcilePodResult extends PodResult {
  /** Set instead of `logTail` when the log could not be read (pod gone, no kubelet, ...). */
  logUnavailable?: string;
}

export interface ResultLimits {
  /** Termination messages are cut to this many bytes (Kubernetes itself caps them at 4 KiB). */
  messageBytes: number;
  /** The log tail kept per pod, in bytes (the last lines that fit). */
  logTailBytes: number;
  /** At most this many pods are reported (the last pod, or the last pod of each index). */
  maxPods: number;
  /** Log tails are read for at most this many of the reported pods (failed ones first). */
  maxLogPods: number;
}

export const DEFAULT_RESULT_LIMITS: ResultLimits = {
  messageBytes: 4096,
  logTailBytes: 4096,
  maxPods: 20,
  maxLogPods: 3,
};

/** What reading one pod's log gave. */
export type LogTail = { tail: string } | { unavailable: string };

export function completionIndex(pod: V1Pod): number | undefined {
  const raw = pod.metadata?.annotations?.[COMPLETION_INDEX] ?? pod.metadata?.labels?.[COMPLETION_INDEX];
  if (raw === undefined) return undefined;
  const n = Number.parseInt(raw, 10);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function podFailed(pod: V1Pod): boolean {
  return pod.status?.phase === 'Failed';
}

/**
 * The pods a result reports: the last pod of a job, or of each index for an Indexed job;
 * failed ones are kept first when there are more than `maxPods`, then ordered by index.
 */
export function resultPods(job: V1Job, pods: readonly V1Pod[], maxPods: number): V1Pod[] {
  const indexed = job.spec?.completionMode === 'Indexed';
  if (!indexed) return newestFirst(pods).slice(0, Math.min(1, maxPods));
  const lastByIndex = new Map<number, V1Pod>();
  for (const pod of newestFirst(pods)) {
    const index = completionIndex(pod);
    if (index !== undefined && !lastByIndex.has(index)) lastByIndex.set(index, pod);
  }
  const chosen = [...lastByIndex.values()]
    .sort(
      (a, b) =>
        Number(podFailed(b)) - Number(podFailed(a)) || (completionIndex(a) ?? 0) - (completionIndex(b) ?? 0),
    )
    .slice(0, maxPods);
  return chosen.sort((a, b) => (completionIndex(a) ?? 0) - (completionIndex(b) ?? 0));
}

/** The reported pods whose log tail is worth reading: failed first, at most `maxLogPods`. */
export function logPods(job: V1Job, pods: readonly V1Pod[], limits: ResultLimits): V1Pod[] {
  const chosen = resultPods(job, pods, limits.maxPods);
  return [...chosen].sort((a, b) => Number(podFailed(b)) - Number(podFailed(a))).slice(0, limits.maxLogPods);
}

/** The container a result speaks for: the first one that failed, else the first declared. */
export function mainContainer(pod: V1Pod): V1ContainerStatus | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const failed = statuses.find((s) => (s.state?.terminated?.exitCode ?? 0) !== 0);
  if (failed) return failed;
  const first = pod.spec?.containers?.[0]?.name;
  return statuses.find((s) => s.name === first) ?? statuses[0];
}

function iso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function podResult(pod: V1Pod, limits: ResultLimits, log?: LogTail): ReconcilePodResult {
  const container = mainContainer(pod);
  const terminated = container?.state?.terminated ?? container?.lastState?.terminated;
  const result: ReconcilePodResult = { podName: pod.metadata?.name ?? '' };
  const index = completionIndex(pod);
  if (index !== undefined) result.completionIndex = index;
  if (terminated) {
    result.exitCode = terminated.exitCode;
    if (terminated.reason) result.reason = terminated.reason;
    if (terminated.message) result.message = truncateUtf8(terminated.message, limits.messageBytes);
    const started = iso(terminated.startedAt);
    const finished = iso(terminated.finishedAt);
    if (started) result.startedAt = started;
    if (finished) result.finishedAt = finished;
  } else {
    // The pod never ran (or is gone half-way): say why it waited.
    const waiting = pod.status?.reason
      ? { reason: pod.status.reason, message: pod.status.message }
      : podWaitingReason(pod);
    if (waiting?.reason) result.reason = waiting.reason;
    if (waiting?.message) result.message = truncateUtf8(waiting.message, limits.messageBytes);
    const started = iso(pod.status?.startTime);
    if (started) result.startedAt = started;
  }
  if (log && 'tail' in log) result.logTail = tailUtf8(log.tail, limits.logTailBytes);
  else if (log) result.logUnavailable = truncateUtf8(log.unavailable, 256);
  return result;
}

/** When the job finished: the completion time, else the terminal condition's time. */
export function finishedAt(job: V1Job): string | undefined {
  return iso(job.status?.completionTime) ?? iso(terminalCondition(job)?.lastTransitionTime);
}

/**
 * The results of a finished job, kept on its record after the pods are gone: counters,
 * times, and for the last pod (per index for Indexed jobs) the exit code, reason, bounded
 * termination message and bounded log tail.
 */
export function buildJobResult(
  job: V1Job,
  pods: readonly V1Pod[],
  logs: ReadonlyMap<string, LogTail>,
  limits: ResultLimits = DEFAULT_RESULT_LIMITS,
): JobResult {
  const status = job.status ?? {};
  const succeeded = status.succeeded ?? 0;
  const failed = status.failed ?? 0;
  const result: JobResult = {
    attempts: succeeded + failed,
    succeeded,
    failed,
    pods: resultPods(job, pods, limits.maxPods).map((pod) =>
      podResult(pod, limits, logs.get(pod.metadata?.name ?? '')),
    ),
  };
  const started = iso(status.startTime);
  const finished = finishedAt(job);
  if (started) result.startedAt = started;
  if (finished) result.finishedAt = finished;
  if (started && finished)
    result.durationSeconds = Math.max(0, (Date.parse(finished) - Date.parse(started)) / 1000);
  if (status.completedIndexes) result.completedIndexes = truncateUtf8(status.completedIndexes, 1024);
  if (status.failedIndexes) result.failedIndexes = truncateUtf8(status.failedIndexes, 1024);
  return result;
}
