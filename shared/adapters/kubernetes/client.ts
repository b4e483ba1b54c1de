import type {
  ConfigurationOptions,
  KubeConfig,
  RequestContext,
  ResponseContext,
  V1Job,
} from '@kubernetes/client-node';
import { ANNOTATIONS, FINALIZER } from '../../core/job/labels.ts';
import type { TerminalState } from '../../core/job/state.ts';
import type { CallOptions, KubeCounters, KubeJobs, Log, Released } from '../../core/ports.ts';
import { JOB_ID, type SpanAttributes, tracedCall } from '../../runtime/tracing.ts';
import { ApiException, Observable } from './client-node.ts';
import { isNetworkError, KubeError, parseWarnings, toKubeFailure } from './errors.ts';
import { KubeApi } from './kube-api.ts';
import { type KubeRetryOptions, kubeRetry } from './retry.ts';
import { settledMark } from './settled-mark.ts';

/** A finalizer list that keeps changing under us is left for the next pass after this many tries. */
const RELEASE_ATTEMPTS = 3;

export const noKubeCalls = (): KubeCounters => ({
  listJobs: 0,
  listPods: 0,
  getJob: 0,
  deleteJob: 0,
  suspends: 0,
  releases: 0,
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
 * transient fault with kubeRetry (Retry-After honoured, never past the deadline). This class has
 * the single-Job calls submit needs; KubeWatchClient (watch-client.ts) adds the lists, watches and
 * logs of the reconciler.
 */
export class KubeClient implements KubeJobs {
  readonly counters = noKubeCalls();
  /** The calls, without client-node's generated API classes (see kube-api.ts). */
  protected readonly api: KubeApi;
  private readonly requestTimeoutMs: number;
  private readonly retry: KubeRetryOptions;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    this.api = kubeConfig.makeApiClient(KubeApi);
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.retry = { log: options.log, retry: options.retry, sleep: options.sleep };
  }

  async createJob(job: V1Job, call?: CallOptions): Promise<{ warnings: string[] }> {
    const namespace = job.metadata?.namespace ?? '';
    const info = await this.request(
      'createJob',
      call,
      (o) => this.api.createNamespacedJobWithHttpInfo({ namespace, body: job }, o),
      jobSpan(job),
    );
    return { warnings: parseWarnings(info.headers.warning) };
  }

  async readJob(namespace: string, name: string, call?: CallOptions): Promise<V1Job | undefined> {
    this.counters.getJob++;
    try {
      return await this.request(
        'readJob',
        call,
        (o) => this.api.readNamespacedJob({ namespace, name }, o),
        objectSpan('job', namespace, name),
      );
    } catch (error) {
      if (error instanceof KubeError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  async deleteJob(namespace: string, name: string, call?: CallOptions): Promise<'deleted' | 'not-found'> {
    this.counters.deleteJob++;
    try {
      await this.request(
        'deleteJob',
        call,
        (o) => this.api.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Foreground' }, o),
        objectSpan('job', namespace, name),
      );
      return 'deleted';
    } catch (error) {
      if (error instanceof KubeError && error.kind === 'not-found') return 'not-found';
      throw error;
    }
  }

  releaseJob(job: V1Job, settled: TerminalState, call?: CallOptions): Promise<Released> {
    const namespace = job.metadata?.namespace ?? '';
    const name = job.metadata?.name ?? '';
    return this.releaseFinalizer(
      job,
      () => this.readJob(namespace, name, call),
      (body, o) => this.api.patchNamespacedJob({ namespace, name, body }, o),
      call,
      jobSpan(job),
      (current) => settledMark(current, settled),
    );
  }

  async setSuspended(
    namespace: string,
    name: string,
    suspend: boolean,
    call?: CallOptions,
  ): Promise<'set' | 'not-found'> {
    this.counters.suspends++;
    try {
      // `add` sets a member whether or not it is there yet.
      const body = [{ op: 'add', path: '/spec/suspend', value: suspend }];
      await this.request(
        'setSuspended',
        call,
        (o) => this.api.patchNamespacedJob({ namespace, name, body }, o),
        objectSpan('job', namespace, name),
      );
      return 'set';
    } catch (error) {
      if (error instanceof KubeError && error.kind === 'not-found') return 'not-found';
      throw error;
    }
  }

  /**
   * Removes our finalizer from an object with a JSON patch whose `test` guards the index, so that a
   * finalizer list that changed meanwhile is never cut wrong: on a failed test (422) the object is
   * read again and the patch made anew. `also` gives more ops for the same patch, made from the
   * object as last seen (a Job's settled mark).
   */
  protected async releaseFinalizer<T extends { metadata?: { finalizers?: string[] } }>(
    seen: T,
    read: () => Promise<T | undefined>,
    patch: (body: object[], o: ConfigurationOptions) => Promise<unknown>,
    call: CallOptions | undefined,
    span: SpanAttributes,
    also: (current: T) => object[] = () => [],
  ): Promise<Released> {
    let current: T | undefined = seen;
    for (let attempt = 0; attempt < RELEASE_ATTEMPTS; attempt++) {
      if (!current) return 'not-found';
      const index = current.metadata?.finalizers?.indexOf(FINALIZER) ?? -1;
      if (index < 0) return 'not-held';
      const path = `/metadata/finalizers/${index}`;
      const body = [{ op: 'test', path, value: FINALIZER }, { op: 'remove', path }, ...also(current)];
      try {
        this.counters.releases++;
        await this.request('releaseFinalizer', call, (o) => patch(body, o), span);
        return 'released';
      } catch (error) {
        if (!(error instanceof KubeError)) throw error;
        if (error.kind === 'not-found') return 'not-found';
        if (error.failure.status !== 422 && error.failure.status !== 409) throw error;
        current = await read();
      }
    }
    throw new Error(`our finalizer could not be removed after ${RELEASE_ATTEMPTS} attempts`);
  }

  /** One call, retried on transient faults, in a span `kubernetes <what>` (its retries are events). */
  protected request<T>(
    what: string,
    call: CallOptions | undefined,
    fn: (o: ConfigurationOptions) => Promise<T>,
    span: SpanAttributes = {},
  ): Promise<T> {
    return tracedCall(`kubernetes ${what}`, span, () =>
      kubeRetry(what, () => this.once(fn, call), call, this.retry),
    );
  }

  /** One attempt, bounded in time, its failure as a KubeError. */
  protected async once<T>(fn: (o: ConfigurationOptions) => Promise<T>, call: CallOptions = {}): Promise<T> {
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

/** The span attributes of a call about one Job or pod: where it is and, when known, its job. */
export function objectSpan(
  kind: 'job' | 'pod',
  namespace: string,
  name: string,
  object?: { metadata?: { annotations?: Record<string, string> } },
): SpanAttributes {
  const jobId = object?.metadata?.annotations?.[ANNOTATIONS.jobId];
  return { 'k8s.namespace.name': namespace, [`k8s.${kind}.name`]: name, [JOB_ID]: jobId };
}

const jobSpan = (job: V1Job) =>
  objectSpan('job', job.metadata?.namespace ?? '', job.metadata?.name ?? '', job);

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
