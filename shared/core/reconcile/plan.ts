import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { JOBS_QUEUE, MIN_RECORD_RETENTION_SECONDS } from '../../resources.ts';
import { ANNOTATIONS, LABELS } from '../job/labels.ts';
import type { JobRecord } from '../job/record.ts';
import { isTerminal, type JobState } from '../job/state.ts';
import { statusShard, transition } from '../job/transition.ts';
import { truncateUtf8 } from '../text.ts';
import { observedOf } from './quiet.ts';
import { buildJobResult, DEFAULT_RESULT_LIMITS, type LogTail, type ResultLimits } from './result.ts';
import { type DerivedStatus, deriveJobStatus } from './status.ts';

export interface ReconcileConfig {
  /** A job pending longer than this is flagged (and failed when `failOnPending`). */
  pendingLimitSeconds: number;
  failOnPending: boolean;
  /** How long DynamoDB keeps a finished record (TTL on `expiresAt`). */
  retentionSeconds: number;
  /** A vanished Job's record becomes LOST only when the Job has been missing, and the record
   *  unchanged, this long (and a GET confirms the Job is gone): a margin for list and watch
   *  lag. The cancel path records CANCELLED before it deletes, so it never races LOST. */
  lostGraceSeconds: number;
  /** A SUBMITTED record with no Job becomes LOST only when older than this: by default, when no
   *  delivery of its request can be left (queue and DLQ retention), so a redrive still works. */
  submittedGraceSeconds: number;
  limits: ResultLimits;
}

/** By then a message has used its deliveries (receives x visibility timeout): it is in the DLQ. */
const AWAITING_JOB_SECONDS = JOBS_QUEUE.maxReceiveCount * JOBS_QUEUE.visibilityTimeoutSeconds;

export const DEFAULT_RECONCILE_CONFIG: ReconcileConfig = {
  pendingLimitSeconds: 900,
  failOnPending: false,
  retentionSeconds: 30 * 24 * 3600,
  lostGraceSeconds: 20,
  submittedGraceSeconds: MIN_RECORD_RETENTION_SECONDS,
  limits: DEFAULT_RESULT_LIMITS,
};

export type JobPlan =
  | { kind: 'none' }
  /** Create the record of a managed Job that has none (an orphan). */
  | { kind: 'create'; record: JobRecord; stateChanged: true }
  /**
   * Replace the record (conditional on its version); `deleteJob` when failed for pending too long
   * (the writer deletes it as it deletes every unfinished Job under a terminal record).
   */
  | { kind: 'replace'; previous: JobRecord; record: JobRecord; stateChanged: boolean; deleteJob?: boolean };

/** The jobId a managed Job carries; the job-key label and the name are fallbacks. */
export function jobIdOf(job: V1Job): string {
  return (
    job.metadata?.annotations?.[ANNOTATIONS.jobId] ??
    job.metadata?.labels?.[LABELS.jobKey] ??
    job.metadata?.name ??
    ''
  );
}

function seconds(fromIso: string, toIso: string): number {
  return (Date.parse(toIso) - Date.parse(fromIso)) / 1000;
}

function samePending(a: JobRecord['pending'], b: JobRecord['pending']): boolean {
  if (!a || !b) return !a && !b;
  return a.reason === b.reason && (a.message ?? '') === (b.message ?? '') && !!a.flagged === !!b.flagged;
}

/** A record for a managed Job that has none, built from its labels and annotations. */
export function adoptedRecord(job: V1Job, now: string): JobRecord {
  const meta = job.metadata ?? {};
  const annotations = meta.annotations ?? {};
  const jobId = jobIdOf(job);
  const created =
    annotations[ANNOTATIONS.submittedAt] ??
    (meta.creationTimestamp ? new Date(meta.creationTimestamp).toISOString() : now);
  const record: JobRecord = {
    jobId,
    owner: annotations[ANNOTATIONS.owner] ?? meta.labels?.[LABELS.owner] ?? 'unknown',
    state: 'SUBMITTED',
    namespace: meta.namespace,
    jobName: meta.name,
    createdAt: created,
    updatedAt: now,
    version: 0,
    history: [
      { state: 'SUBMITTED', at: created, reason: 'Adopted', message: 'record built from an orphan Job' },
    ],
    statusShard: statusShard('SUBMITTED', jobId),
  };
  if (annotations[ANNOTATIONS.requestHash]) record.requestHash = annotations[ANNOTATIONS.requestHash];
  if (annotations[ANNOTATIONS.sourceMessageId])
    record.sourceMessageId = annotations[ANNOTATIONS.sourceMessageId];
  return record;
}

interface Target {
  state: JobState;
  reason?: string;
  message?: string;
  pending?: JobRecord['pending'];
  deleteJob?: boolean;
}

function target(record: JobRecord, derived: DerivedStatus, now: string, config: ReconcileConfig): Target {
  if (derived.state !== 'PENDING' || !derived.pending) {
    return { state: derived.state, reason: derived.reason, message: derived.message };
  }
  const since = record.state === 'PENDING' && record.pending ? record.pending.since : now;
  const waited = seconds(since, now);
  const flagged = waited > config.pendingLimitSeconds;
  const pending: NonNullable<JobRecord['pending']> = { reason: derived.pending.reason, since };
  if (derived.pending.message) pending.message = derived.pending.message;
  if (flagged) pending.flagged = true;
  if (flagged && config.failOnPending) {
    const detail = [derived.pending.reason, derived.pending.message].filter(Boolean).join(': ');
    return {
      state: 'FAILED',
      reason: 'PendingTimeout',
      message: truncateUtf8(
        `pending for ${Math.round(waited)}s (limit ${config.pendingLimitSeconds}s): ${detail}`,
        1024,
      ),
      pending,
      deleteJob: true,
    };
  }
  return { state: 'PENDING', reason: derived.reason, message: derived.message, pending };
}

/**
 * What to write for one observed Job, given its record (undefined: an orphan to adopt).
 * Nothing when the record is terminal or when nothing it shows would change; otherwise the
 * next record, built with transition() so that it never regresses.
 */
export function planJob(
  record: JobRecord | undefined,
  job: V1Job,
  pods: readonly V1Pod[] | undefined,
  logs: ReadonlyMap<string, LogTail> | undefined,
  now: string,
  config: ReconcileConfig = DEFAULT_RECONCILE_CONFIG,
): JobPlan {
  const adopting = record === undefined;
  const base = record ?? adoptedRecord(job, now);
  if (isTerminal(base.state)) return { kind: 'none' };
  const derived = deriveJobStatus(job, pods ?? []);
  // A queued job waits for admission (it alone moves it on); only its end is observed.
  if (base.state === 'QUEUED' && !job.metadata?.deletionTimestamp && !isTerminal(derived.state))
    return { kind: 'none' };
  // A Job being deleted (held by a finalizer) before it finished will never finish.
  const want: Target =
    job.metadata?.deletionTimestamp && !isTerminal(derived.state)
      ? { state: 'LOST', reason: 'JobDeleted', message: deletedMessage(base) }
      : target(base, derived, now, config);
  const unchanged =
    !adopting &&
    want.state === base.state &&
    (want.reason ?? '') === (base.reason ?? '') &&
    (want.message ?? '') === (base.message ?? '') &&
    samePending(want.pending, base.pending);
  if (unchanged) return { kind: 'none' };
  const next = transition(base, {
    state: want.state,
    at: now,
    reason: want.reason,
    message: want.message,
    retentionSeconds: config.retentionSeconds,
  });
  if (!next) return { kind: 'none' };
  // What this write reflects: a later pass that lists the same Job object may leave it be (quiet.ts).
  const observed = observedOf(job, next.version);
  if (observed) next.observed = observed;
  else delete next.observed;
  if (want.pending) next.pending = want.pending;
  else delete next.pending;
  if (isTerminal(want.state)) next.result = buildJobResult(job, pods ?? [], logs ?? new Map(), config.limits);
  if (adopting) return { kind: 'create', record: next, stateChanged: true };
  const plan: JobPlan = {
    kind: 'replace',
    previous: base,
    record: next,
    stateChanged: next.state !== base.state,
  };
  if (want.deleteJob) plan.deleteJob = true;
  return plan;
}

function deletedMessage(record: JobRecord): string {
  return `Job ${record.namespace}/${record.jobName} was deleted before a terminal state was recorded`;
}

/**
 * What to write for an active record whose Job is gone. `missingSince` is when the Job was
 * first seen missing (the time of the DELETED watch event, or of the list that lacked it).
 */
export function planMissing(
  record: JobRecord,
  missingSince: string,
  now: string,
  config: ReconcileConfig = DEFAULT_RECONCILE_CONFIG,
): JobPlan {
  if (isTerminal(record.state)) return { kind: 'none' };
  let reason: string;
  let message: string;
  // A queued record that was never admitted may be waiting for its Job's create, as a SUBMITTED one.
  const neverRan = record.state === 'QUEUED' && !record.history.some((h) => h.state === 'PENDING');
  if (record.state === 'SUBMITTED' || neverRan) {
    const age = seconds(record.createdAt, now);
    if (age < config.submittedGraceSeconds) return planAwaitingJob(record, age, now);
    reason = 'JobNotFound';
    message = `no Job ${record.namespace}/${record.jobName} appeared within ${config.submittedGraceSeconds}s of the submission, longer than any delivery of its request can be left`;
  } else {
    if (seconds(missingSince, now) < config.lostGraceSeconds) return { kind: 'none' };
    reason = 'JobDeleted';
    message = deletedMessage(record);
  }
  const next = transition(record, {
    state: 'LOST',
    at: now,
    reason,
    message,
    retentionSeconds: config.retentionSeconds,
  });
  if (!next) return { kind: 'none' };
  delete next.pending;
  return { kind: 'replace', previous: record, record: next, stateChanged: true };
}

/**
 * A SUBMITTED record whose Job has not appeared by the time its message has used up its
 * deliveries: it stays SUBMITTED (a DLQ redrive may still create the Job, exactly once), and says
 * why it waits.
 */
function planAwaitingJob(record: JobRecord, ageSeconds: number, now: string): JobPlan {
  if (ageSeconds < AWAITING_JOB_SECONDS || record.reason === 'AwaitingJob') return { kind: 'none' };
  const next = transition(record, {
    state: record.state,
    at: now,
    reason: 'AwaitingJob',
    message: `no Job ${record.namespace}/${record.jobName} yet after ${Math.floor(ageSeconds / 60)} min: the request is being retried, or waits in the dead-letter queue for a redrive`,
  });
  return next ? { kind: 'replace', previous: record, record: next, stateChanged: false } : { kind: 'none' };
}

/**
 * Since when an active record's Job counts as missing when a list lacks it: since the list, or,
 * if the record is older, since its last write (a writer saw the Job then), so that the grace
 * runs across invocations too.
 */
export function missingSince(record: JobRecord, listedAt: string): string {
  return new Date(Math.min(Date.parse(record.updatedAt), Date.parse(listedAt))).toISOString();
}
