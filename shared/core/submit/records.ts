import type { JobRecord, Reason } from '../job/record.ts';
import type { JobState } from '../job/state.ts';
import { statusShard } from '../job/transition.ts';

/** New records written by submit and cancel (version 1, one history entry). */
interface NewRecord {
  jobId: string;
  owner: string;
  state: JobState;
  at: string;
  reason?: string;
  message?: string;
  retentionSeconds?: number;
}

function base(input: NewRecord): JobRecord {
  const record: JobRecord = {
    jobId: input.jobId,
    owner: input.owner,
    state: input.state,
    reason: input.reason,
    message: input.message,
    createdAt: input.at,
    updatedAt: input.at,
    version: 1,
    history: [{ state: input.state, at: input.at, reason: input.reason, message: input.message }],
    statusShard: statusShard(input.state, input.jobId),
  };
  if (input.retentionSeconds !== undefined)
    record.expiresAt = Math.floor(Date.parse(input.at) / 1000) + input.retentionSeconds;
  return record;
}

export function submittedRecord(input: {
  jobId: string;
  owner: string;
  at: string;
  namespace: string;
  jobName: string;
  requestHash: string;
  request: unknown;
  sourceMessageId: string;
}): JobRecord {
  return {
    ...base({ jobId: input.jobId, owner: input.owner, state: 'SUBMITTED', at: input.at }),
    namespace: input.namespace,
    jobName: input.jobName,
    requestHash: input.requestHash,
    request: input.request,
    sourceMessageId: input.sourceMessageId,
  };
}

/** The short machine codes of a REJECTED record's `reason`. */
export const REJECTION = {
  invalid: 'InvalidRequest',
  policy: 'PolicyViolation',
  conflict: 'JobIdConflict',
  kube: 'KubernetesRefused',
  /** The sender may not act for the owner (authorize.ts): recorded under the message id. */
  unauthorized: 'NotAuthorized',
} as const;

export function rejectedRecord(input: {
  jobId: string;
  owner: string;
  at: string;
  reason: string;
  reasons: Reason[];
  requestHash: string;
  request?: unknown;
  sourceMessageId: string;
  retentionSeconds: number;
  namespace?: string;
  jobName?: string;
}): JobRecord {
  const message = input.reasons
    .slice(0, 3)
    .map((r) => (r.path ? `${r.path}: ${r.message}` : r.message))
    .join('; ');
  return {
    ...base({
      jobId: input.jobId,
      owner: input.owner,
      state: 'REJECTED',
      at: input.at,
      reason: input.reason,
      message,
      retentionSeconds: input.retentionSeconds,
    }),
    reasons: input.reasons,
    requestHash: input.requestHash,
    request: input.request,
    sourceMessageId: input.sourceMessageId,
    namespace: input.namespace,
    jobName: input.jobName,
  };
}

/** A cancel for a jobId with no record: a CANCELLED tombstone, so a later submit creates no Job. */
export function tombstoneRecord(input: {
  jobId: string;
  by: string;
  /** The SQS SenderId of the cancel: whether the tombstone holds a later submit depends on it. */
  senderId?: string;
  reason?: string;
  at: string;
  sourceMessageId: string;
  retentionSeconds: number;
}): JobRecord {
  return {
    ...base({
      jobId: input.jobId,
      owner: input.by,
      state: 'CANCELLED',
      at: input.at,
      reason: 'CancelledBeforeSubmit',
      message: input.reason ?? 'cancelled before the job was submitted',
      retentionSeconds: input.retentionSeconds,
    }),
    cancellation: { by: input.by, senderId: input.senderId, reason: input.reason, at: input.at },
    sourceMessageId: input.sourceMessageId,
  };
}

/** A CANCELLED record no submit wrote (a cancel came first): it names no request and no Job. */
export const isTombstone = (record: JobRecord): boolean =>
  record.state === 'CANCELLED' && record.requestHash === undefined;

/** A Job by where it is. */
export interface JobRef {
  namespace: string;
  jobName: string;
}

/** The Job a record names; a tombstone and a rejection before any Job name none. */
export function jobOf(record: JobRecord): JobRef | undefined {
  const { namespace, jobName } = record;
  return namespace && jobName ? { namespace, jobName } : undefined;
}

/** Truncates a raw body kept on a REJECTED record. */
export function rawBodyForRecord(body: string, limit = 16 * 1024): string {
  return body.length <= limit ? body : `${body.slice(0, limit)}…(truncated)`;
}
