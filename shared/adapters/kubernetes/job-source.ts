import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  type KubeConfig,
  type V1Job,
  type V1Pod,
  Watch,
} from '@kubernetes/client-node';
import type { LogTail } from '../../core/reconcile/result.ts';

/** Pods carry this label (set by the Job controller) with their Job's name. */
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export const LIST_PAGE_SIZE = 500;
/** A label selector `job-name in (...)` is kept under this many characters per request. */
const MAX_SELECTOR_CHARS = 8000;
const MAX_RELISTS = 3;
const WATCH_REQUEST_SECONDS = 25;

export interface JobPage {
  items: V1Job[];
  /** The list's resourceVersion (the same on every page of one consistent list). */
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEnd {
  /** The last resourceVersion seen (events and bookmarks). */
  resourceVersion: string;
  /** True when the server said the resourceVersion is too old (410): list again. */
  expired: boolean;
}

/** Kubernetes API calls made, by kind, for metrics and the benchmark. */
export interface KubeCounters {
  listJobs: number;
  listPods: number;
  getJob: number;
  deleteJob: number;
  podLogs: number;
  watchRequests: number;
  watchEvents: number;
  relists: number;
}

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

/** The port the reconciler reads the cluster through. */
export interface JobSource {
  readonly counters: KubeCounters;
  /** A consistent, paginated LIST of managed Jobs; a 410 on an expired continue token lists again. */
  listJobs(namespace: string, labelSelector: string): AsyncGenerator<JobPage>;
  /** The pods of the given Jobs, in as few LIST calls as the selector length allows. */
  listPods(namespace: string, jobNames: readonly string[]): Promise<V1Pod[]>;
  /** The current resourceVersion of the namespace's managed Jobs (one LIST with limit 1). */
  jobsResourceVersion(namespace: string, labelSelector: string): Promise<string>;
  /** The current resourceVersion of the namespace's pods (one LIST with limit 1). */
  podsResourceVersion(namespace: string): Promise<string>;
  getJob(namespace: string, name: string): Promise<V1Job | undefined>;
  deleteJob(namespace: string, name: string): Promise<void>;
  readLogTail(
    namespace: string,
    pod: string,
    container: string | undefined,
    tailLines: number,
    limitBytes: number,
  ): Promise<LogTail>;
  /** Watches from `resourceVersion` until `deadline` (epoch ms) or until `signal` aborts. */
  watch(
    resource: 'jobs' | 'pods',
    namespace: string,
    options: { resourceVersion: string; labelSelector: string; deadline: number; signal?: AbortSignal },
    onEvent: (type: WatchEventType, object: V1Job & V1Pod) => void,
  ): Promise<WatchEnd>;
}

export function isGone(error: unknown): boolean {
  if (error instanceof ApiException) return error.code === 410;
  const e = error as { statusCode?: number; code?: number } | undefined;
  return e?.statusCode === 410 || e?.code === 410;
}

function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** Splits names into `key in (a,b,...)` selectors that stay under the length limit. */
export function inSelectors(key: string, names: readonly string[], maxChars = MAX_SELECTOR_CHARS): string[] {
  const selectors: string[] = [];
  let batch: string[] = [];
  let length = 0;
  for (const name of [...new Set(names)].sort()) {
    if (batch.length > 0 && length + name.length + 1 > maxChars) {
      selectors.push(`${key} in (${batch.join(',')})`);
      batch = [];
      length = 0;
    }
    batch.push(name);
    length += name.length + 1;
  }
  if (batch.length > 0) selectors.push(`${key} in (${batch.join(',')})`);
  return selectors;
}

/** A network fault, a GOAWAY, 429 or 5xx: worth one more try. */
export function isTransient(error: unknown): boolean {
  if (error instanceof ApiException) return error.code === 429 || error.code >= 500;
  return error instanceof TypeError || (error as { code?: string })?.code === 'ECONNRESET';
}

/** Runs `call`, again after a short pause on a transient fault (3 attempts in all). */
export async function retryTransient<T>(call: () => Promise<T>, attempts = 3): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The Kubernetes side of the reconciler on @kubernetes/client-node. */
export class KubeJobSource implements JobSource {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly watcher: Watch;
  readonly counters = noKubeCalls();
  private readonly logTimeoutMs: number;

  constructor(kc: KubeConfig, options: { logTimeoutMs?: number } = {}) {
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kc);
    this.logTimeoutMs = options.logTimeoutMs ?? 5000;
  }

  async *listJobs(namespace: string, labelSelector: string): AsyncGenerator<JobPage> {
    let relists = 0;
    let token: string | undefined;
    for (;;) {
      let page: Awaited<ReturnType<BatchV1Api['listNamespacedJob']>>;
      try {
        this.counters.listJobs++;
        page = await this.batch.listNamespacedJob({
          namespace,
          labelSelector,
          limit: LIST_PAGE_SIZE,
          _continue: token,
        });
      } catch (error) {
        // The continue token expired (the snapshot was compacted): start a new consistent list.
        // Pages already yielded are seen again; the reconciler's writes are idempotent.
        if (token !== undefined && isGone(error) && relists < MAX_RELISTS) {
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

  async listPods(namespace: string, jobNames: readonly string[]): Promise<V1Pod[]> {
    const pods: V1Pod[] = [];
    for (const labelSelector of inSelectors(JOB_NAME_LABEL, jobNames)) {
      let token: string | undefined;
      do {
        this.counters.listPods++;
        const page = await this.core.listNamespacedPod({
          namespace,
          labelSelector,
          limit: LIST_PAGE_SIZE,
          _continue: token,
        });
        pods.push(...page.items);
        token = page.metadata?._continue || undefined;
      } while (token);
    }
    return pods;
  }

  async jobsResourceVersion(namespace: string, labelSelector: string): Promise<string> {
    this.counters.listJobs++;
    const page = await retryTransient(() =>
      this.batch.listNamespacedJob({ namespace, labelSelector, limit: 1 }),
    );
    return page.metadata?.resourceVersion ?? '';
  }

  async podsResourceVersion(namespace: string): Promise<string> {
    this.counters.listPods++;
    const page = await retryTransient(() =>
      this.core.listNamespacedPod({ namespace, labelSelector: JOB_NAME_LABEL, limit: 1 }),
    );
    return page.metadata?.resourceVersion ?? '';
  }

  async getJob(namespace: string, name: string): Promise<V1Job | undefined> {
    this.counters.getJob++;
    try {
      return await retryTransient(() => this.batch.readNamespacedJob({ namespace, name }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async deleteJob(namespace: string, name: string): Promise<void> {
    this.counters.deleteJob++;
    try {
      await this.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async readLogTail(
    namespace: string,
    pod: string,
    container: string | undefined,
    tailLines: number,
    limitBytes: number,
  ): Promise<LogTail> {
    this.counters.podLogs++;
    try {
      const text = await withTimeout(
        this.core.readNamespacedPodLog({ namespace, name: pod, container, tailLines, limitBytes }),
        this.logTimeoutMs,
        'pods/log',
      );
      return { tail: typeof text === 'string' ? text : String(text) };
    } catch (error) {
      if (error instanceof ApiException) {
        const body = typeof error.body === 'string' ? error.body : JSON.stringify(error.body ?? '');
        let detail = body;
        try {
          detail = (JSON.parse(body) as { message?: string }).message ?? body;
        } catch {
          // a plain-text body
        }
        return { unavailable: `pods/log ${error.code}: ${detail}`.slice(0, 256) };
      }
      return { unavailable: `pods/log: ${(error as Error).message ?? String(error)}`.slice(0, 256) };
    }
  }

  async watch(
    resource: 'jobs' | 'pods',
    namespace: string,
    options: { resourceVersion: string; labelSelector: string; deadline: number; signal?: AbortSignal },
    onEvent: (type: WatchEventType, object: V1Job & V1Pod) => void,
  ): Promise<WatchEnd> {
    const path =
      resource === 'jobs'
        ? `/apis/batch/v1/namespaces/${namespace}/jobs`
        : `/api/v1/namespaces/${namespace}/pods`;
    let resourceVersion = options.resourceVersion;
    let failures = 0;
    while (Date.now() < options.deadline - 250 && !options.signal?.aborted) {
      const seconds = Math.max(
        1,
        Math.min(WATCH_REQUEST_SECONDS, Math.floor((options.deadline - Date.now()) / 1000)),
      );
      let expired = false;
      this.counters.watchRequests++;
      const ended = await new Promise<unknown>((resolve) => {
        let controller: AbortController | undefined;
        const stop = (): void => controller?.abort();
        const timer = setTimeout(stop, Math.max(0, options.deadline - Date.now()));
        options.signal?.addEventListener('abort', stop, { once: true });
        const finish = (err: unknown): void => {
          clearTimeout(timer);
          options.signal?.removeEventListener('abort', stop);
          resolve(err);
        };
        this.watcher
          .watch(
            path,
            {
              resourceVersion,
              labelSelector: options.labelSelector,
              allowWatchBookmarks: true,
              timeoutSeconds: seconds,
            },
            (type, object) => {
              if (type === 'ERROR') {
                if ((object as { code?: number })?.code === 410) expired = true;
                return;
              }
              const rv = (object as V1Job)?.metadata?.resourceVersion;
              if (rv) resourceVersion = rv;
              if (type === 'BOOKMARK') return;
              this.counters.watchEvents++;
              onEvent(type as WatchEventType, object as V1Job & V1Pod);
            },
            finish,
          )
          .then((c) => {
            controller = c;
            if (options.signal?.aborted || Date.now() >= options.deadline) c.abort();
          }, finish);
      });
      if (expired || isGone(ended)) return { resourceVersion, expired: true };
      const aborted = (ended as { name?: string } | null)?.name === 'AbortError';
      if (ended && !aborted && Date.now() < options.deadline) {
        // A dropped connection: resume from the last resourceVersion after a short pause.
        failures++;
        if (failures > 5) throw ended;
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * 2 ** failures)));
      }
    }
    return { resourceVersion, expired: false };
  }
}
