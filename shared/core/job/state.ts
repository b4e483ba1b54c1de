/** The life of a job request. Terminal states are final. */
export const JOB_STATES = [
  'SUBMITTED',
  /** Waiting for admission: its Job exists, suspended, until quota, order and dependencies allow it (docs/admission.md). */
  'QUEUED',
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'CANCELLED',
  'REJECTED',
  'LOST',
] as const;
export type JobState = (typeof JOB_STATES)[number];

export const ACTIVE_STATES = [
  'SUBMITTED',
  'QUEUED',
  'PENDING',
  'RUNNING',
] as const satisfies readonly JobState[];
/**
 * The states whose records reconcile's resync reads from the status index, to find records whose Job
 * is gone. Not QUEUED: a queue can be long, its Jobs are suspended and held by our finalizer (a
 * delete shows as a deletion, never as a silent gap), and their records are read by key when their
 * Jobs are listed.
 */
export const RESYNC_STATES = ['SUBMITTED', 'PENDING', 'RUNNING'] as const satisfies readonly JobState[];

export const TERMINAL_STATES = [
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'CANCELLED',
  'REJECTED',
  'LOST',
] as const satisfies readonly JobState[];

export type TerminalState = (typeof TERMINAL_STATES)[number];

export function isTerminal(state: JobState): state is TerminalState {
  return (TERMINAL_STATES as readonly JobState[]).includes(state);
}

/** Order used to keep writes monotonic: a record never moves to a lower rank. */
const RANK: Record<JobState, number> = {
  SUBMITTED: 0,
  QUEUED: 1,
  PENDING: 2,
  RUNNING: 3,
  SUCCEEDED: 4,
  FAILED: 4,
  TIMED_OUT: 4,
  CANCELLED: 4,
  REJECTED: 4,
  LOST: 4,
};

/**
 * Whether a record in `from` may move to `to`. Staying in the same active state is allowed
 * (details such as the pending reason change); a pod can go back from RUNNING to PENDING
 * when it is retried, and an admitted job back to QUEUED when it is suspended, so those are
 * allowed too; nothing leaves a terminal state.
 */
export function canTransition(from: JobState, to: JobState): boolean {
  if (isTerminal(from)) return false;
  if (from === 'RUNNING' && to === 'PENDING') return true;
  if ((from === 'PENDING' || from === 'RUNNING') && to === 'QUEUED') return true;
  return RANK[to] >= RANK[from];
}
