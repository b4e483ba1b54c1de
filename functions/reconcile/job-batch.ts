import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { JOB_NAME_LABEL } from '../../shared/adapters/kubernetes/selectors.ts';
import { isTerminal, type TerminalState } from '../../shared/core/job/state.ts';
import type { ActiveEntry } from '../../shared/core/ports.ts';
import { jobIdOf } from '../../shared/core/reconcile/plan.ts';
import { isQuiet } from '../../shared/core/reconcile/quiet.ts';
import { isSettled } from '../../shared/core/reconcile/settled.ts';
import { needsPods } from '../../shared/core/reconcile/status.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import { jobKey, Part, trackedJob } from './context.ts';
import { Finalizers } from './finalizers.ts';

/**
 * Where a batch's records come from: this invocation's records (`cache`), else a batched read by key
 * (`read`, and for the ids not cached). A Map is the resync's active entries from the status index:
 * a listed Job whose entry says it is quiet is left alone, and so is one marked settled without an
 * entry; the others' records are this invocation's when as new as the entry, else read by key.
 */
export type RecordSource = ReadonlyMap<string, ActiveEntry> | 'cache' | 'read';

/**
 * Plans and writes a batch of Jobs of one namespace: their records in one batched read at most,
 * their pods (only of the Jobs that need them) in one LIST, then each job through the writer, a
 * bounded number at once. A failure of one job is counted and logged; the others go on.
 */
export class JobBatches extends Part {
  async handle(namespace: string, batch: readonly V1Job[], source: RecordSource): Promise<void> {
    let jobs = batch;
    if (source instanceof Map) {
      jobs = batch.filter(
        (job) =>
          !this.run.watched.has(jobKey(namespace, job.metadata?.name)) &&
          !this.leftAlone(namespace, job, source) &&
          !this.settledAlone(namespace, job, source),
      );
    }
    if (jobs.length === 0) return;
    await this.loadRecords(jobs.map(jobIdOf), source);
    const work: V1Job[] = [];
    const settle: { job: V1Job; state: TerminalState }[] = [];
    for (const job of jobs) {
      const verdict = this.track(namespace, job);
      if (verdict === 'plan') work.push(job);
      else if (verdict !== 'skip') settle.push({ job, state: verdict.settle });
    }
    const pods = await this.podsOf(namespace, [...work.filter(needsPods), ...settle.map(({ job }) => job)]);
    const podsOf = (job: V1Job): V1Pod[] => pods.get(job.metadata?.name ?? '') ?? [];
    const tasks = [
      ...work.map((job) => ({ job, run: () => this.parts.writer.reconcileJob(namespace, job, podsOf(job)) })),
      ...settle.map(({ job, state }) => ({
        job,
        run: () => this.parts.finalizers.settle(namespace, job, podsOf(job), state),
      })),
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

  /**
   * A listed Job whose record (the entry, or this invocation's copy when as new) is quiet: noted as
   * seen and tracked for the watch, as `track` does, without its record (the watch reads it by key
   * should the Job or its pods change).
   */
  private leftAlone(namespace: string, job: V1Job, entries: ReadonlyMap<string, ActiveEntry>): boolean {
    const jobId = jobIdOf(job);
    const entry = entries.get(jobId);
    if (!entry) return false;
    const cached = this.run.records.get(jobId);
    const newest = cached && cached.version >= entry.version ? cached : entry;
    const name = job.metadata?.name ?? '';
    if (newest.namespace !== namespace || newest.jobName !== name || !isQuiet(newest, job)) return false;
    this.parts.lost.clear(jobId);
    this.run.tracked.set(jobKey(namespace, name), { jobId, job: trackedJob(job), terminal: false });
    this.run.stats.quiet++;
    return true;
  }

  /**
   * A listed Job we released under a terminal record (its settled mark, and no active entry:
   * core/reconcile/settled.ts): tracked as terminal, as `track` does for a terminal record, without
   * reading the record. A finished Job waits for its TTL with no active entry, so without the mark
   * it would be read by key on every pass until then.
   */
  private settledAlone(namespace: string, job: V1Job, entries: ReadonlyMap<string, ActiveEntry>): boolean {
    const jobId = jobIdOf(job);
    if (!isSettled(job, entries.get(jobId))) return false;
    this.parts.lost.clear(jobId);
    this.run.tracked.set(jobKey(namespace, job.metadata?.name), { jobId, terminal: true });
    this.run.stats.settledSkipped++;
    return true;
  }

  private async loadRecords(ids: string[], source: RecordSource): Promise<void> {
    const { records } = this.run;
    let toRead = ids;
    if (source instanceof Map) {
      // An entry is no record: read by key, unless this invocation holds one at least as new.
      toRead = ids.filter((id) => {
        const entry = source.get(id);
        const cached = records.get(id);
        return !entry || !cached || cached.version < entry.version;
      });
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
   * Notes a Job as seen: `plan` when its record is active (or absent), `settle` with the record's
   * state when it is terminal but the Job is still held or still runs, else `skip`.
   */
  private track(namespace: string, job: V1Job): 'plan' | 'skip' | { settle: TerminalState } {
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
      return Finalizers.unsettled(job) ? { settle: record.state } : 'skip';
    }
    this.run.tracked.set(key, { jobId, job: trackedJob(job), terminal: false });
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
