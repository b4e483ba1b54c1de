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
import { isNetworkError, KubeError, parseWarnings, toKubeFailure } from './errors.ts';

/** The port submit and cancel use to reach Kubernetes Jobs. */
export interface KubeJobs {
  /** Creates the Job and returns the apiserver's warnings (e.g. PodSecurity's); throws KubeError. */
  create(job: V1Job): Promise<{ warnings: string[] }>;
  read(namespace: string, name: string): Promise<V1Job | undefined>;
  /** Deletes the Job with propagation Background; `not-found` when it is already gone. */
  delete(namespace: string, name: string): Promise<'deleted' | 'not-found'>;
}

/**
 * Per-request timeout: a hung apiserver must fail the call, not the whole invocation. The object
 * API takes Observable-style middleware (its options are not wrapped like the promise API's).
 */
function timeoutOptions(timeoutMs: number): ConfigurationOptions {
  return {
    middleware: [
      {
        pre: (context: RequestContext) => {
          context.setSignal(AbortSignal.timeout(timeoutMs));
          return new Observable(Promise.resolve(context));
        },
        post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
      },
    ],
    middlewareMergeStrategy: 'append',
  };
}

export class ClientNodeKubeJobs implements KubeJobs {
  private readonly api: BatchV1Api;
  private readonly options: ConfigurationOptions;

  constructor(kubeConfig: KubeConfig, options: { requestTimeoutMs?: number } = {}) {
    this.api = kubeConfig.makeApiClient(BatchV1Api);
    this.options = timeoutOptions(options.requestTimeoutMs ?? 5000);
  }

  async create(job: V1Job): Promise<{ warnings: string[] }> {
    const namespace = job.metadata?.namespace ?? '';
    const info = await this.call(() =>
      this.api.createNamespacedJobWithHttpInfo({ namespace, body: job }, this.options),
    );
    return { warnings: parseWarnings(info.headers.warning) };
  }

  async read(namespace: string, name: string): Promise<V1Job | undefined> {
    try {
      return await this.call(() => this.api.readNamespacedJob({ namespace, name }, this.options));
    } catch (error) {
      if (error instanceof KubeError && error.kind === 'not-found') return undefined;
      throw error;
    }
  }

  async delete(namespace: string, name: string): Promise<'deleted' | 'not-found'> {
    try {
      await this.call(() =>
        this.api.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' }, this.options),
      );
      return 'deleted';
    } catch (error) {
      if (error instanceof KubeError && error.kind === 'not-found') return 'not-found';
      throw error;
    }
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ApiException || isNetworkError(error))
        throw new KubeError(toKubeFailure(error), { cause: error });
      throw error;
    }
  }
}
