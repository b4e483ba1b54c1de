import type { JobRecord } from '../job/record.ts';
import { isTerminal } from '../job/state.ts';

/** What a submit does when the conditional put finds a record under its jobId. */
export type ExistingDecision =
  /** Same request, no Job seen yet: (re)create it; a 409 carrying our hash is success. */
  | { action: 'create-job' }
  /** Same request, already past SUBMITTED or finished: nothing to do (a duplicate delivery). */
  | { action: 'done'; why: 'duplicate-progressed' | 'duplicate-terminal' }
  /** A cancel came first (tombstone) or the job was cancelled: never create a Job. */
  | { action: 'done'; why: 'cancelled' }
  /** Another request holds this jobId: refuse, never overwrite. */
  | { action: 'conflict' };

export function decideOnExisting(existing: JobRecord, hash: string): ExistingDecision {
  if (existing.state === 'CANCELLED' && (existing.requestHash === undefined || existing.requestHash === hash))
    return { action: 'done', why: 'cancelled' };
  if (existing.requestHash !== hash) return { action: 'conflict' };
  if (existing.state === 'SUBMITTED') return { action: 'create-job' };
  return { action: 'done', why: isTerminal(existing.state) ? 'duplicate-terminal' : 'duplicate-progressed' };
}
