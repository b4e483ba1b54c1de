import type { V1Job } from '@kubernetes/client-node';
import { ANNOTATIONS, holdsFinalizer } from '../job/labels.ts';
import { TERMINAL_STATES, type TerminalState } from '../job/state.ts';
import type { ActiveEntry } from '../ports.ts';

/** The terminal state a Job's settled mark names; undefined without a mark, or with a value we never write. */
export function settledStateOf(job: V1Job): TerminalState | undefined {
  const value = job.metadata?.annotations?.[ANNOTATIONS.settled];
  return TERMINAL_STATES.find((state) => state === value);
}

/**
 * Whether the resync may take a listed Job's record to be terminal without reading it
 * (docs/reconcile.md, "Settled Jobs"). A finished Job stays listed until its TTL removes it, with no
 * active entry, so without this its record would be read by key on every pass. All of:
 * - the Job carries the settled mark: reconcile sets it in the very patch that releases our finalizer
 *   from the Job, which it sends only once the terminal record is written;
 * - the Job holds no finalizer of ours: a mark beside our finalizer was not made by that patch (a
 *   copied manifest, say), so the Job is read and settled as before;
 * - its record has no active entry: a record made active again since is read and planned.
 * A Job without the mark (an orphan to adopt, one released by hand, one released before v1.4) is
 * read as before.
 */
export function isSettled(job: V1Job, entry: ActiveEntry | undefined): boolean {
  return entry === undefined && !holdsFinalizer(job) && settledStateOf(job) !== undefined;
}
