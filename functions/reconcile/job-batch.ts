import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { JOB_NAME_LABEL } from '../../shared/adapters/kubernetes/selectors.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { jobIdOf } from '../../shared/core/reconcile/plan.ts';
import { needsPods } from '../../shared/core/reconcile/status.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import { jobKey, Part } from './context.ts';
import { Finalizers } from './finalizers.ts';

/**
 * Where a batch's records come from: the active records the resync read from the status index
 * (a Map), else this invocation's records (`cache`), else a batched read by key (`read`, and
 * for the ids found in neither).
 */
export type RecordSource = ReadonlyMap<string, JobRecord> | 'cache' | 'read';

/**
 * Plans and writes a batch of Jobs of one namespace: their records in one batched read at most,
 * their pods (only of the Jobs that need them) in one LIST, then each job through the writer, a
 * bounded number at once. A failure of one job is counted and logged; the others go on.
 */
export class JobBatches extends Part {
  async handle(namespace: string, batch: readonly V1Job[], source: RecordSource): Promise<void> {
    const fromList = source instanceof Map;
    const jobs = fromList
      ? batch.filter((job) => !this.run.watched.has(jobKey(namespace, job.metadata?.name)))
      : batch;
    if (jobs.length === 0) return;
    await this.loadRecords(jobs.map(jobIdOf), source);
    const work: V1Job[] = [];
    const settle: V1Job[] = [];
    for (const job of jobs) {
      const verdict = this.track(namespace, job);
      if (verdict === 'plan') work.push(job);
      else if (verdict === 'settle') settle.push(job);
    }
    const pods = await this.podsOf(namespace, [...work.filter(needsPods), ...settle]);
    const podsOf = (job: V1Job): V1Pod[] => pods.get(job.metadata?.name ?? '') ?? [];
    const tasks = [
      ...work.map((job) => ({ job, run: () => this.parts.writer.reconcileJob(namespace, job, podsOf(job)) })),
      ...settle.map((job) => ({ job, run: () => this.parts.finalizers.settle(namespace, job, podsOf(job)) })),
    ];
    await mapPool(tasks, this.run.settings.concurrency, async ({ job, run }) => {
      try {
        await run();
      } catch (error) {
        this.run.stats.errors++;
        this.run.log.error('reconciling a job failed', {
          job: jobKey(namespace, job.metadata?.name),
          error: String(error),
        });
      }
    });
  }

  private async loadRecords(ids: string[], source: RecordSource): Promise<void> {
    const { records } = this.run;
    let toRead = ids;
    if (source instanceof Map) {
      toRead = [];
      for (const id of ids) {
        const listed = source.get(id);
        const cached = records.get(id);
        if (!listed) toRead.push(id);
        else if (!cached || cached.version < listed.version) records.set(id, listed);
      }
    } else if (source === 'cache') {
      toRead = ids.filter((id) => !records.has(id));
    }
    if (toRead.length === 0) return;
    const fresh = await this.run.deps.reader.getJobs(toRead);
    for (const id of toRead) {
      const record = fresh.get(id);
      if (record) records.set(id, record);
      else records.delete(id);
    }
  }

  /**
   * Notes a Job as seen: `plan` when its record is active (or absent), `settle` when its record is
   * terminal but the Job is still held or still runs, else `skip`.
   */
  private track(namespace: string, job: V1Job): 'plan' | 'settle' | 'skip' {
    const name = job.metadata?.name ?? '';
    const jobId = jobIdOf(job);
    const record = this.run.records.get(jobId);
    const key = jobKey(namespace, name);
    this.parts.lost.clear(jobId);
    if (record && (record.namespace !== namespace || record.jobName !== name)) {
      this.run.log.warn('a Job carries the id of a record of another Job; left alone', { jobId, job: key });
      return 'skip';
    }
    if (record && isTerminal(record.state)) {
      this.run.tracked.set(key, { jobId, terminal: true });
      return Finalizers.unsettled(job) ? 'settle' : 'skip';
    }
    this.run.tracked.set(key, { jobId, job, terminal: false });
    return 'plan';
  }

  private async podsOf(namespace: string, jobs: readonly V1Job[]): Promise<Map<string, V1Pod[]>> {
    const byJob = new Map<string, V1Pod[]>();
    if (jobs.length === 0) return byJob;
    const names = jobs.map((job) => job.metadata?.name ?? '');
    for (const pod of await this.run.deps.kube.listPods(namespace, names)) {
      const jobName = pod.metadata?.labels?.[JOB_NAME_LABEL] ?? '';
      const list = byJob.get(jobName);
      if (list) list.push(pod);
      else byJob.set(jobName, [pod]);
    }
    return byJob;
  }
}
