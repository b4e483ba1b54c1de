import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { type JobPlan, jobIdOf, planJob } from '../../shared/core/reconcile/plan.ts';
import { type LogTail, logPods, mainContainer } from '../../shared/core/reconcile/result.ts';
import { terminalCondition } from '../../shared/core/reconcile/status.ts';
import { conflict, done, optimisticUpdate, type Step } from '../../shared/runtime/optimistic-update.ts';
import { JOB_ID, type Span, traced } from '../../shared/runtime/tracing.ts';
import { jobKey, Part } from './context.ts';
import { noteLag } from './stats.ts';

/** Rounds of plan -> write for one job before it is left to the next pass. */
const WRITE_ROUNDS = 4;

/**
 * Plan -> apply -> on a lost race, plan again on the fresh record. Every write is conditional
 * (JobStore), so overlapping reconcilers and the submit path never regress a record. The events
 * of the writes that won are published from the table's stream (functions/publish), not here.
 */
export class JobWriter extends Part {
  /**
   * Brings one observed Job's record up to date, in a span with its job id (the calls it makes are
   * children). Logs are read only for a terminal write.
   */
  reconcileJob(namespace: string, job: V1Job, pods: V1Pod[]): Promise<void> {
    const attributes = {
      [JOB_ID]: jobIdOf(job),
      'k8s.namespace.name': namespace,
      'k8s.job.name': job.metadata?.name,
    };
    return traced('reconcile job', attributes, (span) => this.writeJob(namespace, job, pods, span));
  }

  private async writeJob(namespace: string, job: V1Job, pods: V1Pod[], span: Span): Promise<void> {
    const { settings } = this.run;
    let logs: Map<string, LogTail> | undefined;
    const initial = await this.parts.suspension.align(
      namespace,
      job,
      pods,
      this.run.records.get(jobIdOf(job)),
    );
    const written = await optimisticUpdate<JobRecord | undefined, JobRecord | undefined | 'gave-up'>({
      initial,
      rounds: WRITE_ROUNDS,
      step: async (record) => {
        const now = this.run.now();
        let plan = planJob(record, job, pods, logs, now, settings.config);
        if (plan.kind !== 'none' && isTerminal(plan.record.state) && terminalCondition(job) && !logs) {
          logs = await this.readLogs(namespace, job, pods);
          plan = planJob(record, job, pods, logs, now, settings.config);
        }
        return this.apply(plan);
      },
      exhausted: () => 'gave-up' as const,
    });
    span.setAttribute('reconcile.written', written === 'gave-up' ? 'gave-up' : (written?.state ?? 'none'));
    if (written === 'gave-up') {
      this.run.log.warn('gave up on a job after repeated write conflicts', { jobId: jobIdOf(job) });
    } else if (written && isTerminal(written.state)) {
      // A finished job frees quota, or meets a dependency: admission looks again.
      this.run.deps.admission?.jobEnded();
      this.run.tracked.set(jobKey(namespace, job.metadata?.name), { jobId: written.jobId, terminal: true });
      await this.parts.finalizers.settle(namespace, job, pods, written.state);
    }
  }

  /**
   * Writes a plan. Done with the record now stored (undefined: nothing to write, or the record
   * is gone); a conflict with the fresh, still active record to plan again on.
   */
  async apply(plan: JobPlan): Promise<Step<JobRecord | undefined, JobRecord | undefined>> {
    if (plan.kind === 'none') return done(undefined);
    const { deps, stats, records } = this.run;
    stats.writes++;
    if (plan.kind === 'create') {
      const out = await deps.store.create(plan.record);
      if (out.created) {
        stats.created++;
        this.wrote(plan, plan.record);
        return done(plan.record);
      }
      stats.conflicts++;
      records.set(out.existing.jobId, out.existing);
      return isTerminal(out.existing.state) ? done(out.existing) : conflict(out.existing);
    }
    if (await deps.store.replace(plan.record)) {
      stats.replaced++;
      this.wrote(plan, plan.record);
      if (plan.record.state === 'LOST') stats.lost++;
      return done(plan.record);
    }
    stats.conflicts++;
    const fresh = await deps.reader.getJob(plan.record.jobId);
    if (fresh) records.set(fresh.jobId, fresh);
    else records.delete(plan.record.jobId);
    return !fresh || isTerminal(fresh.state) ? done(fresh) : conflict(fresh);
  }

  private wrote(plan: Exclude<JobPlan, { kind: 'none' }>, record: JobRecord): void {
    this.run.records.set(record.jobId, record);
    if (plan.kind === 'replace' && plan.stateChanged && isTerminal(record.state))
      noteLag(this.run.stats, record.result?.finishedAt);
  }

  private async readLogs(namespace: string, job: V1Job, pods: V1Pod[]): Promise<Map<string, LogTail>> {
    const logs = new Map<string, LogTail>();
    const { logTailLines, config } = this.run.settings;
    if (logTailLines <= 0) return logs;
    for (const pod of logPods(job, pods, config.limits)) {
      const name = pod.metadata?.name ?? '';
      const container = mainContainer(pod)?.name;
      logs.set(
        name,
        await this.run.deps.kube.readLogTail(
          namespace,
          name,
          container,
          logTailLines,
          config.limits.logTailBytes * 4,
        ),
      );
    }
    return logs;
  }
}
