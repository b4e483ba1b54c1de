import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { noKubeCalls } from '../../../../shared/adapters/kubernetes/client.ts';
import type { StateChangeEvent } from '../../../../shared/core/job/events.ts';
import { FINALIZER, holdsFinalizer } from '../../../../shared/core/job/labels.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import { ACTIVE_STATES } from '../../../../shared/core/job/state.ts';
import type {
  EventPublisher,
  JobPage,
  JobReader,
  JobStore,
  JobWatch,
  KubeJobs,
  Released,
  WatchEnd,
  WatchEventType,
} from '../../../../shared/core/ports.ts';
import type { LogTail } from '../../../../shared/core/reconcile/result.ts';

/** The cluster, as the reconciler sees it through the JobWatch and KubeJobs ports. */
export class FakeKube implements JobWatch, KubeJobs {
  jobs = new Map<string, V1Job>();
  pods: V1Pod[] = [];
  /** Events a watch of `jobs` delivers, in order, shortly after it starts. */
  jobEvents: Array<{ type: WatchEventType; job: V1Job }> = [];
  readonly counters = noKubeCalls();
  pageSize = 500;
  /** The next jobs watch reports 410 at once (its resourceVersion fell out of the window). */
  expireNextJobWatch = false;
  /** The next jobs watch fails with this error (a connection that keeps dropping). */
  failNextJobWatch?: Error;

  add(job: V1Job): void {
    this.jobs.set(`${job.metadata?.namespace}/${job.metadata?.name}`, job);
  }

  async *listJobs(namespace: string): AsyncGenerator<JobPage> {
    const items = [...this.jobs.values()].filter((j) => j.metadata?.namespace === namespace);
    for (let i = 0; i === 0 || i < items.length; i += this.pageSize) {
      this.counters.listJobs++;
      yield { items: items.slice(i, i + this.pageSize), resourceVersion: '100' };
    }
  }

  async listPods(namespace: string, jobNames: readonly string[]): Promise<V1Pod[]> {
    this.counters.listPods++;
    const names = new Set(jobNames);
    return this.pods.filter(
      (p) =>
        p.metadata?.namespace === namespace &&
        names.has(p.metadata?.labels?.['batch.kubernetes.io/job-name'] ?? ''),
    );
  }

  async jobsResourceVersion(): Promise<string> {
    this.counters.listJobs++;
    return '100';
  }

  async podsResourceVersion(): Promise<string> {
    this.counters.listPods++;
    return '100';
  }

  async createJob(job: V1Job): Promise<{ warnings: string[] }> {
    this.add(job);
    return { warnings: [] };
  }

  async readJob(namespace: string, name: string): Promise<V1Job | undefined> {
    this.counters.getJob++;
    return this.jobs.get(`${namespace}/${name}`);
  }

  async deleteJob(namespace: string, name: string): Promise<'deleted' | 'not-found'> {
    this.counters.deleteJob++;
    return this.jobs.delete(`${namespace}/${name}`) ? 'deleted' : 'not-found';
  }

  async releaseJob(job: V1Job): Promise<Released> {
    this.counters.releases++;
    const stored = this.jobs.get(`${job.metadata?.namespace}/${job.metadata?.name}`);
    if (!stored) return 'not-found';
    if (!holdsFinalizer(stored)) return 'not-held';
    stored.metadata = {
      ...stored.metadata,
      finalizers: stored.metadata?.finalizers?.filter((f) => f !== FINALIZER),
    };
    // A Job whose delete was pending goes once nothing holds it.
    if (stored.metadata.deletionTimestamp && (stored.metadata.finalizers?.length ?? 0) === 0)
      this.jobs.delete(`${job.metadata?.namespace}/${job.metadata?.name}`);
    return 'released';
  }

  async releasePod(pod: V1Pod): Promise<Released> {
    this.counters.releases++;
    const stored = this.pods.find((p) => p.metadata?.name === pod.metadata?.name);
    if (!stored) return 'not-found';
    if (!holdsFinalizer(stored)) return 'not-held';
    stored.metadata = {
      ...stored.metadata,
      finalizers: stored.metadata?.finalizers?.filter((f) => f !== FINALIZER),
    };
    return 'released';
  }

  async readLogTail(_ns: string, pod: string): Promise<LogTail> {
    this.counters.podLogs++;
    return { tail: `log of ${pod}\n` };
  }

  async watch(
    resource: 'jobs' | 'pods',
    _namespace: string,
    options: { resourceVersion: string; deadline: number; signal?: AbortSignal },
    onEvent: (type: WatchEventType, object: V1Job & V1Pod) => void,
  ): Promise<WatchEnd> {
    this.counters.watchRequests++;
    if (resource === 'jobs' && this.failNextJobWatch) {
      const error = this.failNextJobWatch;
      this.failNextJobWatch = undefined;
      throw error;
    }
    if (resource === 'jobs' && this.expireNextJobWatch) {
      this.expireNextJobWatch = false;
      return { resourceVersion: options.resourceVersion, expired: true };
    }
    if (resource === 'jobs') {
      for (const { type, job } of this.jobEvents.splice(0)) {
        this.counters.watchEvents++;
        if (type === 'DELETED') this.jobs.delete(`${job.metadata?.namespace}/${job.metadata?.name}`);
        else this.add(job);
        onEvent(type, job as V1Job & V1Pod);
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, options.deadline - Date.now()));
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { resourceVersion: options.resourceVersion, expired: false };
  }
}

/** The JobStore contract in memory: conditional on version, like the DynamoDB adapter. */
export class MemoryStore implements JobStore, JobReader {
  items = new Map<string, JobRecord>();
  readonly counters = { calls: 0 };
  writes = 0;
  /** Called before a replace is applied: lets a test play a concurrent writer. */
  beforeReplace?: (next: JobRecord) => void;

  async create(record: JobRecord): Promise<{ created: true } | { created: false; existing: JobRecord }> {
    this.writes++;
    const existing = this.items.get(record.jobId);
    if (existing) return { created: false, existing: structuredClone(existing) };
    this.items.set(record.jobId, structuredClone(record));
    return { created: true };
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    return this.getJob(jobId);
  }

  async replace(next: JobRecord): Promise<boolean> {
    this.writes++;
    this.beforeReplace?.(next);
    const current = this.items.get(next.jobId);
    if (!current || current.version !== next.version - 1) return false;
    this.items.set(next.jobId, structuredClone(next));
    return true;
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    this.counters.calls++;
    const r = this.items.get(jobId);
    return r && structuredClone(r);
  }

  async getJobs(jobIds: readonly string[]): Promise<Map<string, JobRecord>> {
    this.counters.calls += Math.ceil(jobIds.length / 100);
    const out = new Map<string, JobRecord>();
    for (const id of jobIds) {
      const r = this.items.get(id);
      if (r) out.set(id, structuredClone(r));
    }
    return out;
  }

  async getStates(jobIds: readonly string[]): Promise<Map<string, JobRecord['state']>> {
    const records = await this.getJobs(jobIds);
    return new Map([...records].map(([id, r]) => [id, r.state]));
  }

  async *scanActive(): AsyncGenerator<JobRecord> {
    this.counters.calls++;
    for (const r of [...this.items.values()]) {
      if ((ACTIVE_STATES as readonly string[]).includes(r.state)) yield structuredClone(r);
    }
  }
}

export class CapturingPublisher implements EventPublisher {
  events: StateChangeEvent[] = [];
  async publish(events: readonly StateChangeEvent[]): Promise<{ failed: number }> {
    this.events.push(...events);
    return { failed: 0 };
  }
}
