import {
  ApiException,
  BatchV1Api,
  type ConfigurationOptions,
  type KubeConfig,
  Observable,
  type RequestContext,
  type ResponseContext,
  type V1Job,
} from '@kubernetes/client-node';
import type { CallOptions, KubeCounters, KubeJobs, Log } from '../../core/ports.ts';
import { isNetworkError, KubeError, parseWarnings, toKubeFailure } from './errors.ts';
import { type KubeRetryOptions, kubeRetry } from './retry.ts';

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
 * transient fault with kubeRetry (Retry-After honoured, never past the deadline). This class has
 * the single-Job calls submit needs; KubeWatchClient (watch-client.ts) adds the lists, watches and
 * logs of the reconciler, so that submit's bundle carries no CoreV1Api.
 */
export class KubeClient implements KubeJobs {
  readonly counters = noKubeCalls();
  protected readonly batch: BatchV1Api;
  private readonly requestTimeoutMs: number;
  private readonly retry: KubeRetryOptions;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    this.batch = kubeConfig.makeApiClient(BatchV1Api);
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

  /** One call, retried on transient faults. */
  protected request<T>(
    what: string,
    call: CallOptions | undefined,
    fn: (o: ConfigurationOptions) => Promise<T>,
  ) {
    return kubeRetry(what, () => this.once(fn, call), call, this.retry);
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
