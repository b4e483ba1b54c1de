import type { KubeConfig, V1Job, V1Pod } from '@kubernetes/client-node';
import type { CallOptions, JobPage, JobWatch, Released, WatchEnd, WatchEventType } from '../../core/ports.ts';
import type { LogTail } from '../../core/reconcile/result.ts';
import { tracedCall } from '../../runtime/tracing.ts';
import { KubeClient, type KubeClientOptions, objectSpan } from './client.ts';
import { Watch } from './client-node.ts';
import { KubeError, toKubeFailure } from './errors.ts';
import type { KubeApi } from './kube-api.ts';
import { inSelectors, JOB_NAME_LABEL, LIST_PAGE_SIZE } from './selectors.ts';
import { watchStream } from './watch.ts';

/** Fresh consistent lists started after an expired continue token, at most. */
const MAX_RELISTS = 3;

/** The Kubernetes client of the reconciler: KubeClient plus lists, watches and pod logs. */
export class KubeWatchClient extends KubeClient implements JobWatch {
  private readonly watcher: Watch;

  constructor(kubeConfig: KubeConfig, options: KubeClientOptions = {}) {
    super(kubeConfig, options);
    this.watcher = new Watch(kubeConfig);
  }

  async *listJobs(namespace: string, labelSelector: string, call?: CallOptions): AsyncGenerator<JobPage> {
    let relists = 0;
    let token: string | undefined;
    for (;;) {
      let page: Awaited<ReturnType<KubeApi['listNamespacedJob']>>;
      try {
        this.counters.listJobs++;
        page = await this.request(
          'listJobs',
          call,
          (o) =>
            this.api.listNamespacedJob(
              { namespace, labelSelector, limit: LIST_PAGE_SIZE, _continue: token },
              o,
            ),
          { 'k8s.namespace.name': namespace },
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
        const page = await this.request(
          'listPods',
          call,
          (o) =>
            this.api.listNamespacedPod(
              { namespace, labelSelector, limit: LIST_PAGE_SIZE, _continue: token },
              o,
            ),
          { 'k8s.namespace.name': namespace },
        );
        pods.push(...page.items);
        token = page.metadata?._continue || undefined;
      } while (token);
    }
    return pods;
  }

  async jobsResourceVersion(namespace: string, labelSelector: string, call?: CallOptions): Promise<string> {
    this.counters.listJobs++;
    const page = await this.request(
      'listJobs',
      call,
      (o) => this.api.listNamespacedJob({ namespace, labelSelector, limit: 1 }, o),
      { 'k8s.namespace.name': namespace },
    );
    return page.metadata?.resourceVersion ?? '';
  }

  async podsResourceVersion(namespace: string, call?: CallOptions): Promise<string> {
    this.counters.listPods++;
    const page = await this.request(
      'listPods',
      call,
      (o) => this.api.listNamespacedPod({ namespace, labelSelector: JOB_NAME_LABEL, limit: 1 }, o),
      { 'k8s.namespace.name': namespace },
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
      const text = await tracedCall('kubernetes readPodLog', objectSpan('pod', namespace, pod), () =>
        this.once((o) =>
          this.api.readNamespacedPodLog({ namespace, name: pod, container, tailLines, limitBytes }, o),
        ),
      );
      return { tail: typeof text === 'string' ? text : String(text) };
    } catch (error) {
      const failure = error instanceof KubeError ? error.failure : toKubeFailure(error);
      const status = failure.status === undefined ? '' : ` ${failure.status}`;
      return { unavailable: `pods/log${status}: ${failure.message}`.slice(0, 256) };
    }
  }

  releasePod(pod: V1Pod, call?: CallOptions): Promise<Released> {
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    return this.releaseFinalizer(
      pod,
      async () => {
        try {
          return await this.request(
            'readPod',
            call,
            (o) => this.api.readNamespacedPod({ namespace, name }, o),
            objectSpan('pod', namespace, name, pod),
          );
        } catch (error) {
          if (error instanceof KubeError && error.kind === 'not-found') return undefined;
          throw error;
        }
      },
      (body, o) => this.api.patchNamespacedPod({ namespace, name, body }, o),
      call,
      objectSpan('pod', namespace, name, pod),
    );
  }

  watch(
    resource: 'jobs' | 'pods',
    namespace: string,
    options: { resourceVersion: string; labelSelector: string; deadline: number; signal?: AbortSignal },
    onEvent: (type: WatchEventType, object: V1Job & V1Pod) => void,
  ): Promise<WatchEnd> {
    // One span for the whole watch (its requests and reconnects), up to the window's end.
    const span = { 'k8s.namespace.name': namespace };
    return tracedCall(resource === 'jobs' ? 'kubernetes watchJobs' : 'kubernetes watchPods', span, () =>
      watchStream(this.watcher, this.counters, resource, namespace, options, onEvent),
    );
  }
}

function isExpired(error: unknown): boolean {
  return error instanceof KubeError && error.failure.status === 410;
}
