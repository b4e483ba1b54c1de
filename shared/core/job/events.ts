import { truncateUtf8 } from '../text.ts';
import type { JobRecord } from './record.ts';
import type { JobState } from './state.ts';
import { isTerminal } from './state.ts';

/** EventBridge `source` of every event this system publishes. */
export const EVENT_SOURCE = 'eks-job-runner';
/** EventBridge `detail-type` of a state change (as AWS Batch's "Batch Job State Change"). */
export const STATE_CHANGE_DETAIL_TYPE = 'Job State Change';
/** Bumped on a breaking change of the detail; fields are only ever added within a version. */
export const STATE_CHANGE_SCHEMA_VERSION = '1';

/** The `detail` of a "Job State Change" event, schema version 1 (docs/events.md). */
export interface JobStateChangeDetailV1 {
  schemaVersion: '1';
  /** `jobId#version`: the same for every delivery of one transition, so consumers deduplicate on it. */
  eventId: string;
  jobId: string;
  owner: string;
  namespace?: string;
  jobName?: string;
  state: JobState;
  /** Absent for a record adopted from an orphan Job. */
  previousState?: JobState;
  terminal: boolean;
  reason?: string;
  /** At most 1 KiB. */
  message?: string;
  /** When the transition happened (ISO 8601). */
  at: string;
  createdAt: string;
  /** The record's version after the transition: orders events of one job. */
  version: number;
  adopted?: true;
  pending?: { reason: string; message?: string; since: string; flagged?: true };
  /** Present on terminal states: a summary (the log tails stay in the record). */
  result?: {
    attempts: number;
    succeeded: number;
    failed: number;
    exitCode?: number;
    startedAt?: string;
    finishedAt?: string;
    durationSeconds?: number;
    failedIndexes?: string;
  };
}

/** One entry for EventBridge PutEvents (without the bus name, which the publisher adds). */
export interface StateChangeEvent {
  source: typeof EVENT_SOURCE;
  detailType: typeof STATE_CHANGE_DETAIL_TYPE;
  time: string;
  detail: JobStateChangeDetailV1;
}

function bounded(text: string | undefined, bytes: number): string | undefined {
  return text === undefined ? undefined : truncateUtf8(text, bytes);
}

/**
 * The event a write of a record deserves, from the record before (absent for a new item) and
 * after it (absent for a delete): every state change, an adoption and a new record written
 * directly in a state other than SUBMITTED included, and a job newly flagged as pending too long.
 * Nothing for SUBMITTED (a job's first event is PENDING), for writes that keep the state
 * (results, messages, finalizer bookkeeping) and for TTL deletes.
 */
export function changeEvent(
  before: JobRecord | undefined,
  after: JobRecord | undefined,
): StateChangeEvent | undefined {
  if (!after) return undefined;
  if (!before)
    return after.state === 'SUBMITTED' ? undefined : stateChangeEvent(after, undefined, adopted(after));
  if (before.state !== after.state) return stateChangeEvent(after, before);
  const newlyFlagged = after.pending?.flagged === true && before.pending?.flagged !== true;
  return newlyFlagged ? stateChangeEvent(after, before) : undefined;
}

/** A record the reconciler built from an orphan Job (plan.ts, adoptedRecord). */
function adopted(record: JobRecord): boolean {
  return record.history[0]?.reason === 'Adopted';
}

export function stateChangeEvent(next: JobRecord, previous?: JobRecord, adopted = false): StateChangeEvent {
  const detail: JobStateChangeDetailV1 = {
    schemaVersion: STATE_CHANGE_SCHEMA_VERSION,
    eventId: `${next.jobId}#${next.version}`,
    jobId: next.jobId,
    owner: next.owner,
    state: next.state,
    terminal: isTerminal(next.state),
    at: next.updatedAt,
    createdAt: next.createdAt,
    version: next.version,
  };
  if (next.namespace) detail.namespace = next.namespace;
  if (next.jobName) detail.jobName = next.jobName;
  if (previous) detail.previousState = previous.state;
  if (adopted) detail.adopted = true;
  if (next.reason) detail.reason = next.reason;
  const message = bounded(next.message, 1024);
  if (message) detail.message = message;
  if (next.pending) {
    detail.pending = { reason: next.pending.reason, since: next.pending.since };
    const pendingMessage = bounded(next.pending.message, 1024);
    if (pendingMessage) detail.pending.message = pendingMessage;
    if (next.pending.flagged) detail.pending.flagged = true;
  }
  if (next.result && detail.terminal) {
    const r = next.result;
    const failedPod = r.pods.find((p) => (p.exitCode ?? 0) !== 0);
    const exitCode = (failedPod ?? r.pods[r.pods.length - 1])?.exitCode;
    detail.result = { attempts: r.attempts, succeeded: r.succeeded, failed: r.failed };
    if (exitCode !== undefined) detail.result.exitCode = exitCode;
    if (r.startedAt) detail.result.startedAt = r.startedAt;
    if (r.finishedAt) detail.result.finishedAt = r.finishedAt;
    if (r.durationSeconds !== undefined) detail.result.durationSeconds = r.durationSeconds;
    if (r.failedIndexes) detail.result.failedIndexes = r.failedIndexes;
  }
  return { source: EVENT_SOURCE, detailType: STATE_CHANGE_DETAIL_TYPE, time: next.updatedAt, detail };
}
