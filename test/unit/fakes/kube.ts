import { createHash } from 'node:crypto';
import type { V1Job, V1Pod } from '@kubernetes/client-node';
import { noKubeCalls } from '../../../shared/adapters/kubernetes/client.ts';
import { KubeError } from '../../../shared/adapters/kubernetes/errors.ts';
import { kubeRetry } from '../../../shared/adapters/kubernetes/retry.ts';
import { ANNOTATIONS, FINALIZER, holdsFinalizer } from '../../../shared/core/job/labels.ts';
import type { TerminalState } from '../../../shared/core/job/state.ts';
import type { KubeFailure } from '../../../shared/core/kube-failure.ts';
import type {
  CallOptions,
  JobPage,
  JobWatch,
  KubeJobs,
  Released,
  WatchEnd,
  WatchEventType,
} from '../../../shared/core/ports.ts';
import type { LogTail } from '../../../shared/core/reconcile/result.ts';

type SingleCall = 'create' | 'read' | 'delete';

/**
 * Gives a Job the resourceVersion the apiserver would: one that changes whenever the object does
 * and only then (the apiserver skips a write that changes nothing). Tests change Jobs in place, so
 * the version is the object's content, stamped whenever a Job is handed out.
 */
export function stamped<T extends V1Job>(job: T): T {
  const { resourceVersion: _, ...metadata } = job.metadata ?? {};
  const content = JSON.stringify({ ...job, metadata });
  job.metadata = {
    ...job.metadata,
    resourceVersion: createHash('sha1').update(content).digest('hex').slice(0, 12),
  };
  return job;
}

/**
 * The cluster in memory, through the KubeJobs and JobWatch ports. The single-Job calls go through
 * the real kubeRetry, as in KubeClient: `failNext` scripts failures, `calls` has one entry per
 * attempt, `slept` the waits.
 */
export class FakeKube implements JobWatch, KubeJobs {
  jobs = new Map<string, V1Job>();
  readonly calls: SingleCall[] = [];
  readonly slept: number[] = [];
  /** The warnings a create answers with (PodSecurity's, say). */
  warnings: string[] = [];
  readonly failures: { call: SingleCall; failure: KubeFailure }[] = [];
  pods: V1Pod[] = [];
  /** Events a watch of `jobs` delivers, in order, shortly after it starts. */
  jobEvents: Array<{ type: WatchEventType; job: V1Job }> = [];
  /** Events a watch of `pods` delivers, in order, shortly after it starts. */
  podEvents: Array<{ type: WatchEventType; pod: V1Pod }> = [];
  readonly counters = noKubeCalls();
  pageSize = 500;
  /** The next jobs watch reports 410 at once (its resourceVersion fell out of the window). */
  expireNextJobWatch = false;
  /** The next jobs watch fails with this error (a connection that keeps dropping). */
  failNextJobWatch?: Error;
  /** Each watch request: what it watched, from which resourceVersion. */
  readonly watchedFrom: Array<{ resource: 'jobs' | 'pods'; resourceVersion: string }> = [];
  /** The resourceVersion a watch reports having reached when it ends (default: where it began). */
  watchReaches?: string;

  add(job: V1Job): void {
    this.jobs.set(`${job.metadata?.namespace}/${job.metadata?.name}`, job);
  }

  async *listJobs(namespace: string): AsyncGenerator<JobPage> {
    const items = [...this.jobs.values()].filter((j) => j.metadata?.namespace === namespace);
    for (let i = 0; i === 0 || i < items.length; i += this.pageSize) {
      this.counters.listJobs++;
      yield { items: items.slice(i, i + this.pageSize).map(stamped), resourceVersion: '100' };
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

  createJob(job: V1Job, options?: CallOptions): Promise<{ warnings: string[] }> {
    return this.attempt('create', options, () => {
      const key = `${job.metadata?.namespace}/${job.metadata?.name}`;
      if (this.jobs.has(key))
        throw new KubeError({
          status: 409,
          reason: 'AlreadyExists',
          message: `jobs.batch "${job.metadata?.name}" already exists`,
        });
      this.jobs.set(key, structuredClone(job));
      return { warnings: [...this.warnings] };
    });
  }

  readJob(namespace: string, name: string, options?: CallOptions): Promise<V1Job | undefined> {
    this.counters.getJob++;
    return this.attempt('read', options, () => {
      const job = this.jobs.get(`${namespace}/${name}`);
      return job && stamped(job);
    });
  }

  deleteJob(namespace: string, name: string, options?: CallOptions): Promise<'deleted' | 'not-found'> {
    this.counters.deleteJob++;
    return this.attempt('delete', options, () =>
      this.jobs.delete(`${namespace}/${name}`) ? ('deleted' as const) : ('not-found' as const),
    );
  }

  async setSuspended(namespace: string, name: string, suspend: boolean): Promise<'set' | 'not-found'> {
    await Promise.resolve();
    this.counters.suspends++;
    const job = this.jobs.get(`${namespace}/${name}`);
    if (!job) return 'not-found';
    job.spec = { ...(job.spec ?? { template: {} }), suspend };
    return 'set';
  }

  failNext(call: SingleCall, failure: KubeFailure, times = 1): void {
    for (let i = 0; i < times; i++) this.failures.push({ call, failure });
  }

  private attempt<T>(call: SingleCall, options: CallOptions | undefined, fn: () => T): Promise<T> {
    const once = async () => {
      await Promise.resolve();
      this.calls.push(call);
      const index = this.failures.findIndex((f) => f.call === call);
      if (index >= 0)
        throw new KubeError((this.failures.splice(index, 1)[0] as { failure: KubeFailure }).failure);
      return fn();
    };
    return kubeRetry(`${call}Job`, once, options, { sleep: async (ms) => void this.slept.push(ms) });
  }

  /** As KubeClient's one patch: our finalizer removed, the settled mark set. */
  async releaseJob(job: V1Job, settled: TerminalState): Promise<Released> {
    this.counters.releases++;
    const stored = this.jobs.get(`${job.metadata?.namespace}/${job.metadata?.name}`);
    if (!stored) return 'not-found';
    if (!holdsFinalizer(stored)) return 'not-held';
    stored.metadata = {
      ...stored.metadata,
      finalizers: stored.metadata?.finalizers?.filter((f) => f !== FINALIZER),
      annotations: { ...stored.metadata?.annotations, [ANNOTATIONS.settled]: settled },
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
    this.watchedFrom.push({ resource, resourceVersion: options.resourceVersion });
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
        onEvent(type, stamped(job) as V1Job & V1Pod);
      }
    }
    if (resource === 'pods') {
      for (const { type, pod } of this.podEvents.splice(0)) {
        this.counters.watchEvents++;
        onEvent(type, pod as V1Job & V1Pod);
      }
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, options.deadline - Date.now()));
      options.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return { resourceVersion: this.watchReaches ?? options.resourceVersion, expired: false };
  }
}
