import {
  ApiException,
  BatchV1Api,
  type ConfigurationOptions,
  CoreV1Api,
  type KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
  type V1Job,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import type {
  CallOptions,
  JobPage,
  JobWatch,
  KubeCounters,
  KubeJobs,
  Log,
  WatchEnd,
  WatchEventType,
} from '../../core/ports.ts';
import type { LogTail } from '../../core/reconcile/result.ts';
import { isNetworkError, KubeError, parseWarnings, toKubeFailure } from './errors.ts';
import { type KubeRetryOptions, kubeRetry } from './retry.ts';
import { inSelectors, JOB_NAME_LABEL, LIST_PAGE_SIZE } from './selectors.ts';
import { watchStream } from './watch.ts';

const MAX_RELISTS = 3;

export const noKubeCalls = (): KubeCounters => ({
  listJobs: 0,
  listPods: 0,
  getJob: 0,
  deleteJob: 0,
  podLogs: 0,
  watchRequests: 0,
  watchEvents: 0,
  relists: 0,
});

export interface KubeClientOptions {
  /** Milliseconds before a request with no answer fails (and, being transient, is tried again). */
  requestTimeoutMs?: number;
  log?: Log;
  retry?: KubeRetryOptions['retry'];
  sleep?: KubeRetryOptions['sleep'];
}

/**
 * The one Kubernetes client, on @kubernetes/client-node. Every call has a timeout (the shorter of
 * the request timeout and the call's deadline), fails as one KubeError, and is retried on a
 * transient fault with kubeRetry (Retry-After honoured, never past the deadline).
 */
export class KubeClient implements KubeJobs, JobWatch {
  readonly counters = noKubeCalls();
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;
  private readonly requestTimeoutMs: number;
  private readonly retry: KubeRetryOptions;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kubeConfig);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.retry = { log: options.log, retry: options.retry, sleep: options.sleep };
  }

  async createJob(job: V1Job, call?: CallOptions): Promise<{ warnings: string[] }> {
    const namespace = job.metadata?.namespace ?? '';
    const info = await this.request('createJob', call, (o) =>
      this.batch.createNamespacedJobWithHttpInfo({ namespace, body: job }, o),
    );
    return { warnings: parseWarnings(info.headers.warning) };
  }

  async readJob(namespace: string, name: string, call?: CallOptions): Promise<V1Job | undefined> {
    this.counters.getJob++;
    try {
      return await this.request('readJob', call, (o) => this.batch.readNamespacedJob({ namespace, name }, o));
    } catch (error) {
      if (error instanceof KubeError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  async deleteJob(namespace: string, name: string, call?: CallOptions): Promise<'deleted' | 'not-found'> {
    this.counters.deleteJob++;
    try {
      await this.request('deleteJob', call, (o) =>
        this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' }, o),
      );
      return 'deleted';
    } catch (error) {
      if (error instanceof KubeError && error.kind === 'not-found') return 'not-found';
      throw error;
    }
  }

  async *listJobs(namespace: string, labelSelector: string, call?: CallOptions): AsyncGenerator<JobPage> {
    let relists = 0;
    let token: string | undefined;
    for (;;) {
      let page: Awaited<ReturnType<BatchV1Api['listNamespacedJob']>>;
      try {
        this.counters.listJobs++;
        page = await this.request('listJobs', call, (o) =>
          this.batch.listNamespacedJob(
            { namespace, labelSelector, limit: LIST_PAGE_SIZE, _continue: token },
            o,
          ),
        );
      } catch (error) {
        // The continue token expired (the snapshot was compacted): start a new consistent list.
        // Pages already yielded are seen again; the reconciler's writes are idempotent.
        if (token !== undefined && isExpired(error) && relists < MAX_RELISTS) {
          relists++;
          this.counters.relists++;
          token = undefined;
          continue;
        }
        throw error;
      }
      yield { items: page.items, resourceVersion: page.metadata?.resourceVersion ?? '' };
      token = page.metadata?._continue || undefined;
      if (!token) return;
    }
  }

  async listPods(namespace: string, jobNames: readonly string[], call?: CallOptions): Promise<V1Pod[]> {
    const pods: V1Pod[] = [];
    for (const labelSelector of inSelectors(JOB_NAME_LABEL, jobNames)) {
      let token: string | undefined;
      do {
        this.counters.listPods++;
        const page = await this.request('listPods', call, (o) =>
          this.core.listNamespacedPod(
            { namespace, labelSelector, limit: LIST_PAGE_SIZE, _continue: token },
            o,
          ),
        );
        pods.push(...page.items);
        token = page.metadata?._continue || undefined;
      } while (token);
    }
    return pods;
  }

  async jobsResourceVersion(namespace: string, labelSelector: string, call?: CallOptions): Promise<string> {
    this.counters.listJobs++;
    const page = await this.request('listJobs', call, (o) =>
      this.batch.listNamespacedJob({ namespace, labelSelector, limit: 1 }, o),
    );
    return page.metadata?.resourceVersion ?? '';
  }

  async podsResourceVersion(namespace: string, call?: CallOptions): Promise<string> {
    this.counters.listPods++;
    const page = await this.request('listPods', call, (o) =>
      this.core.listNamespacedPod({ namespace, labelSelector: JOB_NAME_LABEL, limit: 1 }, o),
    );
    return page.metadata?.resourceVersion ?? '';
  }

  /** Best effort, one attempt: a log that cannot be read is recorded as unavailable, with why. */
  async readLogTail(
    namespace: string,
    pod: string,
    container: string | undefined,
    tailLines: number,
    limitBytes: number,
  ): Promise<LogTail> {
    this.counters.podLogs++;
    try {
      const text = await this.once((o) =>
        this.core.readNamespacedPodLog({ namespace, name: pod, container, tailLines, limitBytes }, o),
      );
      return { tail: typeof text === 'string' ? text : String(text) };
    } catch (error) {
      const failure = error instanceof KubeError ? error.failure : toKubeFailure(error);
      const status = failure.status === undefined ? '' : ` ${failure.status}`;
      return { unavailable: `pods/log${status}: ${failure.message}`.slice(0, 256) };
    }
  }

  watch(
    resource: 'jobs' | 'pods',
    namespace: string,
    options: { resourceVersion: string; labelSelector: string; deadline: number; signal?: AbortSignal },
    onEvent: (type: WatchEventType, object: V1Job & V1Pod) => void,
  ): Promise<WatchEnd> {
    return watchStream(this.watcher, this.counters, resource, namespace, options, onEvent);
  }

  /** One call, retried on transient faults. */
  private request<T>(
    what: string,
    call: CallOptions | undefined,
    fn: (o: ConfigurationOptions) => Promise<T>,
  ) {
    return kubeRetry(what, () => this.once(fn, call), call, this.retry);
  }

  /** One attempt, bounded in time, its failure as a KubeError. */
  private async once<T>(fn: (o: ConfigurationOptions) => Promise<T>, call: CallOptions = {}): Promise<T> {
    const left = call.deadline === undefined ? this.requestTimeoutMs : call.deadline - Date.now();
    const timeoutMs = Math.max(1, Math.min(this.requestTimeoutMs, left));
    const signals = [AbortSignal.timeout(timeoutMs), ...(call.signal ? [call.signal] : [])];
    try {
      return await fn(abortOn(AbortSignal.any(signals)));
    } catch (error) {
      if (error instanceof ApiException || isNetworkError(error))
        throw new KubeError(toKubeFailure(error), { cause: error });
      throw error;
    }
  }
}

function isExpired(error: unknown): boolean {
  return error instanceof KubeError && error.failure.status === 410;
}

/**
 * The object API takes Observable-style middleware (its options are not wrapped like the promise
 * API's): this one sets the request's abort signal.
 */
function abortOn(signal: AbortSignal): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context: RequestContext) => {
          context.setSignal(signal);
          return new Observable(Promise.resolve(context));
        },
        post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}
