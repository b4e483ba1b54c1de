import type { V1ContainerState, V1Job, V1JobCondition, V1JobStatus, V1Pod } from '@kubernetes/client-node';
import { ANNOTATIONS, LABELS, MANAGER } from '../../../../shared/core/job/labels.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import type { JobState } from '../../../../shared/core/job/state.ts';
import { statusShard } from '../../../../shared/core/job/transition.ts';

export const T0 = '2026-01-01T00:00:00.000Z';
export const at = (seconds: number): string => new Date(Date.parse(T0) + seconds * 1000).toISOString();

export function cond(type: string, reason?: string, message?: string, time = at(10)): V1JobCondition {
  return { type, status: 'True', reason, message, lastTransitionTime: new Date(time) };
}

export function job(
  name = 'job-a',
  status: V1JobStatus = {},
  options: { jobId?: string; indexed?: boolean; namespace?: string; owner?: string } = {},
): V1Job {
  return {
    metadata: {
      name,
      namespace: options.namespace ?? 'jobs',
      creationTimestamp: new Date(T0),
      labels: {
        [LABELS.managedBy]: MANAGER,
        [LABELS.jobKey]: name,
        [LABELS.owner]: options.owner ?? 'team-a',
      },
      annotations: {
        [ANNOTATIONS.jobId]: options.jobId ?? `id-${name}`,
        [ANNOTATIONS.owner]: options.owner ?? 'team-a',
        [ANNOTATIONS.requestHash]: 'hash-1',
        [ANNOTATIONS.submittedAt]: T0,
      },
    },
    spec: {
      completionMode: options.indexed ? 'Indexed' : 'NonIndexed',
      template: { spec: { containers: [{ name: 'main', image: 'x' }] } },
    },
    status,
  };
}

/**
 * A finished (Complete) Job as a pass left it: the given finalizers, and the settled mark
 * (ANNOTATIONS.settled) when `mark` is set.
 */
export function finishedJob(name: string, mark?: string, finalizers: string[] = []): V1Job {
  const j = job(name, { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] });
  j.metadata = {
    ...j.metadata,
    finalizers,
    annotations: { ...j.metadata?.annotations, ...(mark && { [ANNOTATIONS.settled]: mark }) },
  };
  return j;
}

export function pod(
  name: string,
  options: {
    job?: string;
    phase?: string;
    created?: number;
    state?: V1ContainerState;
    index?: number;
    scheduled?: { status: 'True' | 'False'; reason?: string; message?: string };
  } = {},
): V1Pod {
  const annotations: Record<string, string> = {};
  if (options.index !== undefined)
    annotations['batch.kubernetes.io/job-completion-index'] = String(options.index);
  const conditions = options.scheduled ? [{ type: 'PodScheduled', ...options.scheduled }] : [];
  return {
    metadata: {
      name,
      namespace: 'jobs',
      creationTimestamp: new Date(at(options.created ?? 0)),
      labels: { 'batch.kubernetes.io/job-name': options.job ?? 'job-a' },
      annotations,
    },
    spec: { containers: [{ name: 'main', image: 'x' }] },
    status: {
      phase: options.phase ?? 'Pending',
      conditions,
      containerStatuses: options.state
        ? [{ name: 'main', image: 'x', imageID: '', ready: false, restartCount: 0, state: options.state }]
        : undefined,
    },
  };
}

export function terminated(
  exitCode: number,
  message?: string,
  reason = exitCode === 0 ? 'Completed' : 'Error',
): V1ContainerState {
  return {
    terminated: { exitCode, reason, message, startedAt: new Date(at(1)), finishedAt: new Date(at(5)) },
  };
}

export function record(state: JobState, options: Partial<JobRecord> = {}): JobRecord {
  const jobId = options.jobId ?? 'id-job-a';
  return {
    jobId,
    owner: 'team-a',
    state,
    namespace: 'jobs',
    jobName: 'job-a',
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    history: [{ state, at: T0 }],
    statusShard: statusShard(state, jobId),
    ...options,
  };
}
