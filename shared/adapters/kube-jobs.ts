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
import { classifyKube, type FailureClass, type KubeFailure } from '../core/classify-error.ts';

/** The port submit and cancel use to reach Kubernetes Jobs. */
export interface KubeJobs {
  /** Creates the Job and returns the apiserver's warnings (e.g. PodSecurity's); throws KubeError. */
  create(job: V1Job): Promise<{ warnings: string[] }>;
  read(namespace: string, name: string): Promise<V1Job | undefined>;
  /** Deletes the Job with propagation Background; `not-found` when it is already gone. */
  delete(namespace: string, name: string): Promise<'deleted' | 'not-found'>;
}

export class KubeError extends Error {
  readonly failure: KubeFailure;
  readonly kind: FailureClass;
  constructor(failure: KubeFailure, options?: { cause?: unknown }) {
    super(
      `kubernetes: ${failure.status ?? 'no response'} ${failure.reason ?? ''} ${failure.message}`.trim(),
      options,
    );
    this.name = 'KubeError';
    this.failure = failure;
    this.kind = classifyKube(failure);
  }
}

/**
 * The texts of a `Warning` header (RFC 7234: `299 - "text"`, several joined by commas). PodSecurity
 * enforces on pods only; on a Job it warns "would violate PodSecurity", which is how a Job whose pods
 * can never be created is recognised at submit time.
 */
export function parseWarnings(header: string | undefined): string[] {
  if (!header) return [];
  const texts: string[] = [];
  const re = /\d{3}\s+\S+\s+"((?:[^"\\]|\\.)*)"/g;
  for (let m = re.exec(header); m; m = re.exec(header)) texts.push((m[1] ?? '').replace(/\\(.)/g, '$1'));
  return texts.length > 0 ? texts : [header];
}

/** Retry-After as seconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * client-node 2.x puts the raw response text in `ApiException.body` (a string, not a Status):
 * parse it for the Status `reason` and `message`, and read Retry-After from the headers.
 */
export function toKubeFailure(error: unknown): KubeFailure {
  if (error instanceof ApiException) {
    const code = error.code as number;
    const raw: unknown = error.body;
    let status: { reason?: unknown; message?: unknown } | undefined;
    if (typeof raw === 'string') {
      try {
        status = JSON.parse(raw) as typeof status;
      } catch {
        status = { message: raw.slice(0, 1024) };
      }
    } else if (raw && typeof raw === 'object') status = raw as typeof status;
    const headers = (error.headers ?? {}) as Record<string, string>;
    return {
      status: code,
      reason: typeof status?.reason === 'string' ? status.reason : undefined,
      message: typeof status?.message === 'string' ? status.message : `HTTP ${code}`,
      retryAfterSeconds: parseRetryAfter(headers['retry-after'] ?? headers['Retry-After']),
    };
  }
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const detail = err.cause?.code ?? err.cause?.message ?? err.name;
  return { message: `${err.message ?? String(error)}${detail ? ` (${detail})` : ''}` };
}

/**
 * Whether an error that is no ApiException means "no answer": undici's `fetch failed` (refused,
 * reset, TLS), or our timeout's abort. Anything else is a bug and is not dressed up as transient.
 */
export function isNetworkError(error: unknown): boolean {
  const err = error as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return true;
  if (err?.name === 'TypeError' && err.message === 'fetch failed') return true;
  const code = err?.code ?? err?.cause?.code ?? '';
  return /^(ECONN|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|UND_ERR)/.test(code);
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
