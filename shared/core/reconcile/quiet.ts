import type { V1Job } from '@kubernetes/client-node';
import type { ActiveEntry } from '../ports.ts';
import { needsPods } from './status.ts';

/**
 * Whether a listed Job can have changed nothing since its record was written, so that the resync
 * need not read the record nor plan it (docs/reconcile.md, "Quiet Jobs"). All of:
 * - the record is RUNNING: a PENDING record's details come from pods, which change without their
 *   Job, and its pending limit is a matter of time; a SUBMITTED one was never written from its Job;
 *   a QUEUED one is not in the active set at all;
 * - reconcile's writer made the record's current version from the Job object at this very
 *   resourceVersion (`observed`): the same Job object gives the same plan, which was this record,
 *   and no other writer has written since (any write bumps `version`);
 * - the Job alone says what the record shows (`needsPods` false): no pod to read for a running
 *   container without readiness, no results, no deletion, no finalizer to release;
 * - the Job is not suspended: a running record over a suspended Job is for the suspension check.
 * Everything else the resync does for such a Job (marking it seen, so that it is no LOST suspect,
 * and tracking it for the watch) needs no record.
 */
export function isQuiet(record: Pick<ActiveEntry, 'state' | 'version' | 'observed'>, job: V1Job): boolean {
  const observed = record.observed;
  const resourceVersion = job.metadata?.resourceVersion;
  return (
    record.state === 'RUNNING' &&
    observed !== undefined &&
    observed.version === record.version &&
    resourceVersion !== undefined &&
    observed.resourceVersion === resourceVersion &&
    job.spec?.suspend !== true &&
    !needsPods(job)
  );
}

/** What a write made from `job` says it reflected (JobRecord.observed), when the Job has a resourceVersion. */
export function observedOf(job: V1Job, version: number): ActiveEntry['observed'] {
  const resourceVersion = job.metadata?.resourceVersion;
  return resourceVersion === undefined ? undefined : { resourceVersion, version };
}
