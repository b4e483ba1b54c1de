import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { holdsFinalizer } from '../../shared/core/job/labels.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { jobIdOf } from '../../shared/core/reconcile/plan.ts';
import { Part } from './context.ts';

/**
 * Keeps each Job's `spec.suspend` as its record says: suspended while QUEUED, running once admitted.
 * Admission and the suspend action write the record first and patch the Job second, so a fault in
 * between leaves them apart; this puts them together. It acts only on a consistent read of the
 * record: a cached one may predate an admission made by submit.
 */
export class Suspension extends Part {
  /** The record to plan on: the one given, or a fresh read when the Job and it disagree. */
  async align(
    namespace: string,
    job: V1Job,
    pods: readonly V1Pod[],
    cached: JobRecord | undefined,
  ): Promise<JobRecord | undefined> {
    if (!cached || isTerminal(cached.state) || job.metadata?.deletionTimestamp) return cached;
    const suspended = job.spec?.suspend === true;
    const queued = cached.state === 'QUEUED';
    let record = cached;
    if (queued !== suspended && (queued || cached.admission)) {
      const fresh = await this.run.deps.reader.getJob(jobIdOf(job));
      if (!fresh) return undefined;
      this.run.records.set(fresh.jobId, fresh);
      record = fresh;
      const want = fresh.state === 'QUEUED';
      if (!isTerminal(fresh.state) && want !== suspended && (want || fresh.admission)) {
        this.run.log.warn('a Job and its record disagree on suspension; aligning the Job', {
          jobId: fresh.jobId,
          state: fresh.state,
          suspended,
        });
        await this.run.deps.kube.setSuspended(namespace, job.metadata?.name ?? '', want);
        this.run.stats.suspensionsAligned++;
      }
    }
    if (record.state === 'QUEUED') {
      // Pods a suspension stopped: nothing to record of them, so they may go.
      for (const pod of pods)
        if (pod.metadata?.deletionTimestamp && holdsFinalizer(pod)) await this.run.deps.kube.releasePod(pod);
      this.run.deps.admission?.request();
    }
    return record;
  }
}
