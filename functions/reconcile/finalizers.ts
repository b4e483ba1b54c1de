import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { holdsFinalizer } from '../../shared/core/job/labels.ts';
import type { TerminalState } from '../../shared/core/job/state.ts';
import { terminalCondition } from '../../shared/core/reconcile/status.ts';
import type { Invocation } from './context.ts';

/**
 * Our finalizer holds a managed Job and its pods until their outcome is recorded. Once the record
 * is terminal, the pods' finalizers are released first and the Job's last, so that a failure in
 * between leaves the Job held and the next pass finishes the work. The Job's release also marks it
 * settled with the record's state, so that the resyncs until its TTL need not read the record
 * (core/reconcile/settled.ts).
 */
export class Finalizers {
  private readonly run: Invocation;

  constructor(run: Invocation) {
    this.run = run;
  }

  /** The terminal record, in `state`, is written: let the Job and its pods go. */
  async release(job: V1Job, pods: readonly V1Pod[], state: TerminalState): Promise<void> {
    const { kube } = this.run.deps;
    for (const pod of pods) if (holdsFinalizer(pod)) await kube.releasePod(pod);
    if (holdsFinalizer(job)) await kube.releaseJob(job, state);
  }

  /**
   * A Job under a terminal record (in `state`): nothing may run under a terminal record (a cancel
   * whose delete failed, say), so a Job still running is deleted; then it is released.
   */
  async settle(namespace: string, job: V1Job, pods: readonly V1Pod[], state: TerminalState): Promise<void> {
    const name = job.metadata?.name ?? '';
    if (!terminalCondition(job) && !job.metadata?.deletionTimestamp) {
      this.run.log.warn('a Job still runs under a terminal record; deleting it', {
        job: `${namespace}/${name}`,
      });
      await this.run.deps.kube.deleteJob(namespace, name);
    }
    await this.release(job, pods, state);
  }

  /** Whether a Job under a terminal record still needs `settle`. */
  static unsettled(job: V1Job): boolean {
    return holdsFinalizer(job) || (!terminalCondition(job) && !job.metadata?.deletionTimestamp);
  }
}
