/** The life of a job request. Terminal states are final. */
export const JOB_STATES = [
  'SUBMITTED',
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

export const ACTIVE_STATES = ['SUBMITTED', 'PENDING', 'RUNNING'] as const satisfies readonly JobState[];
export const TERMINAL_STATES = [
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'CANCELLED',
  'REJECTED',
  'LOST',
] as const satisfies readonly JobState[];

export function isTerminal(state: JobState): boolean {
  return (TERMINAL_STATES as readonly JobState[]).includes(state);
}

/** Order used to keep writes monotonic: a record never moves to a lower rank. */
const RANK: Record<JobState, number> = {
  SUBMITTED: 0,
  PENDING: 1,
  RUNNING: 2,
  SUCCEEDED: 3,
  FAILED: 3,
  TIMED_OUT: 3,
  CANCELLED: 3,
  REJECTED: 3,
  LOST: 3,
};

/**
 * Whether a record in `from` may move to `to`. Staying in the same active state is allowed
 * (details such as the pending reason change); a pod can go back from RUNNING to PENDING
 * when it is retried, so that is allowed too; nothing leaves a terminal state.
 */
export function canTransition(from: JobState, to: JobState): boolean {
  if (isTerminal(from)) return false;
  if (from === 'RUNNING' && to === 'PENDING') return true;
  return RANK[to] >= RANK[from];
}
