import { JOBS_TABLE } from '../../resources.ts';
import { isHeld } from '../admission/types.ts';
import { HISTORY_LIMIT, type JobRecord } from './record.ts';
import { canTransition, isTerminal, type JobState } from './state.ts';

/** The status index's partition key: the state and a stable shard of the jobId. */
export function statusShard(state: JobState, jobId: string): string {
  let hash = 0;
  for (const char of jobId) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return `${state}#${hash % JOBS_TABLE.statusShards}`;
}

export interface TransitionInput {
  state: JobState;
  at: string;
  reason?: string;
  message?: string;
  /** Seconds a terminal record is kept before DynamoDB TTL removes it. */
  retentionSeconds?: number;
}

/**
 * The record after moving to `input.state`, or undefined when the move is not allowed
 * (out of a terminal state, or backwards). A same-state move with a new reason is kept
 * as a detail change without a history entry.
 */
export function transition(record: JobRecord, input: TransitionInput): JobRecord | undefined {
  if (!canTransition(record.state, input.state)) return undefined;
  const changedState = record.state !== input.state;
  const history = changedState
    ? [
        ...record.history,
        { state: input.state, at: input.at, reason: input.reason, message: input.message },
      ].slice(-HISTORY_LIMIT)
    : record.history;
  const next: JobRecord = {
    ...record,
    state: input.state,
    reason: input.reason,
    message: input.message,
    updatedAt: input.at,
    version: record.version + 1,
    history,
    statusShard: statusShard(input.state, record.jobId),
  };
  // Leaving the admitted states gives the quota back, in this very write (the store applies it).
  if (isHeld(record.admission) && (isTerminal(input.state) || input.state === 'QUEUED')) {
    const { heldAtVersion: _, ...rest } = record.admission as NonNullable<JobRecord['admission']>;
    next.admission = { ...rest, releasedAtVersion: next.version };
  }
  if (isTerminal(input.state) && input.retentionSeconds !== undefined) {
    next.expiresAt = Math.floor(Date.parse(input.at) / 1000) + input.retentionSeconds;
  }
  return next;
}
