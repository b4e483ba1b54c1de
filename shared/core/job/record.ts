import type { Admission, Suspension } from '../admission/types.ts';
import type { JobState } from './state.ts';

/** Why a request was refused: one entry per problem, machine-readable. */
export interface Reason {
  /** Where the problem is, e.g. `resources.limits.cpu`; empty for the whole body. */
  path: string;
  /** A stable rule id, e.g. `schema.invalid_type`, `policy.image_registry`, `kube.forbidden`. */
  rule: string;
  message: string;
}

export interface Transition {
  state: JobState;
  at: string;
  reason?: string;
  message?: string;
}

/** What a pod left behind, captured before the TTL controller deletes it. */
export interface PodResult {
  podName: string;
  /** Set for Indexed jobs. */
  completionIndex?: number;
  exitCode?: number;
  reason?: string;
  /** At most 4 KiB. */
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  /** The last lines of the log, bounded in lines and bytes. */
  logTail?: string;
}

export interface JobResult {
  attempts: number;
  succeeded: number;
  failed: number;
  startedAt?: string;
  finishedAt?: string;
  durationSeconds?: number;
  failedIndexes?: string;
  completedIndexes?: string;
  pods: PodResult[];
}

/** One item of the jobs table. Attributes that the indexes use are kept at the top level. */
export interface JobRecord {
  jobId: string;
  owner: string;
  state: JobState;
  /** A short machine code for the current state: `BackoffLimitExceeded`, `Unschedulable`, ... */
  reason?: string;
  message?: string;
  namespace?: string;
  /** The Kubernetes Job's name, deterministic from the jobId. */
  jobName?: string;
  requestHash?: string;
  /** The validated request as submitted (never secret values: secrets are references). */
  request?: unknown;
  reasons?: Reason[];
  sourceMessageId?: string;
  createdAt: string;
  updatedAt: string;
  /** Incremented by every write; writes are conditional on it. */
  version: number;
  history: Transition[];
  /** Set while a job waits: the pod's reason and since when. */
  pending?: { reason: string; message?: string; since: string; flagged?: boolean };
  result?: JobResult;
  /** `by` is the cancel's `requestedBy` (who, as the sender says); `senderId` its SQS SenderId. */
  cancellation?: { by: string; senderId?: string; reason?: string; at: string };
  /** Set for a job under admission (docs/admission.md): what it charges, where, and whether it holds it. */
  admission?: Admission;
  /** Set while a user has the job suspended (action `suspend`); cleared by `resume`. */
  suspension?: Suspension;
  /** Index attribute: `STATE#shard`. */
  statusShard: string;
  /** Epoch seconds for DynamoDB TTL, set once a record is terminal. */
  expiresAt?: number;
  /** What was cut to keep the item within its byte budget (core/job/budget.ts), when anything was. */
  trimmed?: string[];
  /** Set by the store on every put: tells the SDK's retry of a put that succeeded from another writer's. */
  lastWriteId?: string;
  /**
   * Set by reconcile's writer (v1.3): the Kubernetes Job's `metadata.resourceVersion` this record was
   * written from, and the record's `version` that write made. Any later write (by anyone) bumps
   * `version` past it, so a match says: the record is what reconcile made of that very Job object
   * (docs/reconcile.md, "Quiet Jobs").
   */
  observed?: { resourceVersion: string; version: number };
}

export const HISTORY_LIMIT = 20;
