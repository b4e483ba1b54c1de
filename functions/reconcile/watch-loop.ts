import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { JOB_NAME_LABEL } from '../../shared/adapters/kubernetes/selectors.ts';
import { holdsFinalizer, MANAGED_SELECTOR } from '../../shared/core/job/labels.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import { mapPool } from '../../shared/runtime/pool.ts';
import { jobKey, Part } from './context.ts';

/** Margin before the deadline in which no new watch request starts. */
const DEADLINE_MARGIN_MS = 250;

/**
 * The watch of one invocation: a Job watch and a pod watch per namespace, from the resourceVersion
 * current at the start, until the deadline. What they report is marked dirty (by
 * `namespace/name`) and handled in small batches, so that status lands within about a second.
 */
export class WatchLoop extends Part {
  /** Jobs to plan again, with the newest object the watch delivered (undefined: a pod changed). */
  private readonly dirty = new Map<string, V1Job | undefined>();
  /** Jobs the watch saw deleted, with when. */
  private readonly deleted = new Map<string, string>();
  /**
   * Deleted pods we hold whose Job is recorded or gone: created after their Job was settled (the
   * Foreground delete stops them), so no Job-level release saw them.
   */
  private readonly strays = new Map<string, V1Pod>();

  /** Watches until the deadline or the signal; returns the version it reached. */
  async jobs(namespace: string, from: string, deadline: number, signal: AbortSignal): Promise<string> {
    let version = from;
    while (Date.now() < deadline - DEADLINE_MARGIN_MS && !signal.aborted) {
      const options = { resourceVersion: version, labelSelector: MANAGED_SELECTOR, deadline, signal };
      const end = await this.run.deps.kube.watch('jobs', namespace, options, (type, job) => {
        this.run.stats.watchedEvents++;
        const key = jobKey(namespace, job.metadata?.name);
        this.run.watched.add(key);
        // A DELETED object carries the Job's final status: it is planned like any other.
        this.dirty.set(key, job);
        if (type === 'DELETED') this.deleted.set(key, this.run.now());
        else this.deleted.delete(key);
      });
      version = end.resourceVersion;
      if (end.expired) {
        // The watch fell out of the server's window: list again, watch from the new list.
        this.run.log.warn('job watch expired; listing again', { namespace });
        version = await this.parts.resync.namespace(namespace);
      }
    }
    return version;
  }

  /** Watches until the deadline or the signal; returns the version it reached. */
  async pods(namespace: string, from: string, deadline: number, signal: AbortSignal): Promise<string> {
    let version = from;
    while (Date.now() < deadline - DEADLINE_MARGIN_MS && !signal.aborted) {
      const options = { resourceVersion: version, labelSelector: JOB_NAME_LABEL, deadline, signal };
      const end = await this.run.deps.kube.watch('pods', namespace, options, (_type, pod) => {
        this.run.stats.watchedEvents++;
        const key = jobKey(namespace, pod.metadata?.labels?.[JOB_NAME_LABEL]);
        const tracked = this.run.tracked.get(key);
        if (tracked && !tracked.terminal && !this.dirty.has(key)) this.dirty.set(key, undefined);
        else if (pod.metadata?.deletionTimestamp && holdsFinalizer(pod))
          this.strays.set(jobKey(namespace, pod.metadata.name), pod);
      });
      version = end.resourceVersion;
      if (end.expired) {
        version = await this.run.deps.kube.podsResourceVersion(namespace);
        for (const [key, tracked] of this.run.tracked)
          if (!tracked.terminal && key.startsWith(`${namespace}/`)) this.dirty.set(key, undefined);
      }
    }
    return version;
  }

  /** Handles the dirty Jobs every `batchMs` until the deadline or the signal. */
  async flushEvery(deadline: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && Date.now() < deadline) {
      await pause(this.run.settings.batchMs, signal);
      await this.parts.serial.run(() => this.flush());
    }
  }

  /** Handles what the watches reported since the last batch. */
  async flush(): Promise<void> {
    if (this.dirty.size > 0) {
      const batch = [...this.dirty.entries()];
      this.dirty.clear();
      const byNamespace = new Map<string, V1Job[]>();
      for (const [key, reported] of batch) {
        const tracked = this.run.tracked.get(key);
        const job = reported ?? tracked?.job;
        if (!job || tracked?.terminal) continue;
        const namespace = key.slice(0, key.indexOf('/'));
        const jobs = byNamespace.get(namespace);
        if (jobs) jobs.push(job);
        else byNamespace.set(namespace, [job]);
      }
      for (const [namespace, jobs] of byNamespace) await this.parts.batches.handle(namespace, jobs, 'cache');
    }
    for (const [key, at] of this.deleted) {
      this.deleted.delete(key);
      const tracked = this.run.tracked.get(key);
      this.run.tracked.delete(key);
      if (!tracked || tracked.terminal) continue;
      const record = this.run.records.get(tracked.jobId);
      if (record && !isTerminal(record.state)) this.parts.lost.suspect(record, at, 'deleted');
    }
    if (this.parts.lost.size > 0) await this.parts.lost.confirm();
    await this.releaseStrays();
  }

  private async releaseStrays(): Promise<void> {
    const strays = [...this.strays.values()];
    this.strays.clear();
    const { kube } = this.run.deps;
    await mapPool(strays, this.run.settings.concurrency, async (pod) => {
      const namespace = pod.metadata?.namespace ?? '';
      const jobName = pod.metadata?.labels?.[JOB_NAME_LABEL] ?? '';
      try {
        const tracked = this.run.tracked.get(jobKey(namespace, jobName));
        if (tracked?.terminal || !(await kube.readJob(namespace, jobName))) await kube.releasePod(pod);
      } catch (error) {
        this.run.stats.errors++;
        this.run.log.error('releasing a stray pod failed', { pod: pod.metadata?.name, error: String(error) });
      }
    });
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
