import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { jobIdOf, planMissing, type ReconcileConfig } from '../../shared/core/reconcile/plan.ts';
import { done, optimisticUpdate } from '../../shared/runtime/optimistic-update.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import { JOB_ID, traced } from '../../shared/runtime/tracing.ts';
import { Part } from './context.ts';

/** Rounds of read -> plan -> write for one vanished job. */
const LOST_ROUNDS = 3;

interface Suspect {
  record: JobRecord;
  since: string;
  /** The watch delivered the Job's DELETED: no list or watch lag to allow for, so no grace. */
  deleted: boolean;
}

/**
 * Active records whose Job was not listed, or was deleted: suspects, by jobId. Once the grace has
 * passed (planMissing), one GET confirms the Job is gone and one read that the record is still
 * active; then the record becomes LOST.
 */
export class LostJobs extends Part {
  private readonly suspects = new Map<string, Suspect>();

  /**
   * Keeps the earliest time a record's Job was seen missing. A Job the watch saw deleted is
   * confirmed at once (GET and a consistent read still decide); one a list lacked waits the grace.
   */
  suspect(record: JobRecord, since: string, how: 'deleted' | 'unlisted'): void {
    const known = this.suspects.get(record.jobId);
    const deleted = how === 'deleted';
    if (!known) this.suspects.set(record.jobId, { record, since, deleted });
    else if (deleted) known.deleted = true;
  }

  /** The Job was seen: no longer a suspect. */
  clear(jobId: string): void {
    this.suspects.delete(jobId);
  }

  get size(): number {
    return this.suspects.size;
  }

  /** Checks the suspects whose grace has passed. */
  async confirm(): Promise<void> {
    const { settings } = this.run;
    const now = this.run.now();
    const due = [...this.suspects.entries()].filter(
      ([, s]) => planMissing(s.record, s.since, now, this.configFor(s)).kind !== 'none',
    );
    await mapPool(due, settings.concurrency, async ([jobId, suspect]) => {
      try {
        const { namespace, jobName } = suspect.record;
        const attributes = { [JOB_ID]: jobId, 'k8s.namespace.name': namespace, 'k8s.job.name': jobName };
        await traced('reconcile lost job', attributes, () => this.confirmOne(jobId, suspect));
      } catch (error) {
        this.run.stats.errors++;
        this.run.log.error('confirming a vanished job failed', { jobId, error: String(error) });
      }
    });
  }

  private async confirmOne(jobId: string, suspect: Suspect): Promise<void> {
    const { namespace, jobName } = suspect.record;
    if (!namespace || !jobName) return;
    const job = await this.run.deps.kube.readJob(namespace, jobName);
    if (job && jobIdOf(job) === jobId) {
      this.suspects.delete(jobId);
      return;
    }
    const read = () => this.run.deps.reader.getJob(jobId);
    const settled = await optimisticUpdate({
      initial: await read(),
      rounds: LOST_ROUNDS,
      step: async (fresh) => {
        if (!fresh || isTerminal(fresh.state)) return done(true);
        const plan = planMissing(fresh, suspect.since, this.run.now(), this.configFor(suspect));
        if (plan.kind === 'none') return done(false);
        const step = await this.parts.writer.apply(plan);
        return step.kind === 'done' ? done(true) : { kind: 'conflict', fresh: await read() };
      },
      exhausted: () => true,
    });
    if (settled) this.suspects.delete(jobId);
  }

  private configFor(suspect: Suspect): ReconcileConfig {
    const { config } = this.run.settings;
    return suspect.deleted ? { ...config, lostGraceSeconds: 0 } : config;
  }
}
