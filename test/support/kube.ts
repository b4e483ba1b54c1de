import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Container,
  type V1Job,
  type V1PodSpec,
} from '@kubernetes/client-node';

export interface KubeClients {
  batch: BatchV1Api;
  core: CoreV1Api;
}

/** Clients for one identity of the local stack (its kubeconfig file). */
export function kubeClients(kubeconfigPath: string): KubeClients {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return { batch: kc.makeApiClient(BatchV1Api), core: kc.makeApiClient(CoreV1Api) };
}

/** A unique, DNS-1123 name for a test object. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Polls `probe` until it returns a value, at most `timeoutMs`; the last error explains a timeout. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  intervalMs = 200,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** A pod spec that meets the `restricted` Pod Security profile; kwok runs it as its annotations script. */
export function restrictedPodSpec(
  container: Partial<V1Container> = {},
  pod: Partial<V1PodSpec> = {},
): V1PodSpec {
  return {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: 'RuntimeDefault' } },
    ...pod,
    containers: [
      {
        name: 'main',
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        ...container,
      },
    ],
  };
}

/** A Job whose pod meets the `restricted` Pod Security profile, its outcome scripted for kwok. */
export function restrictedJob(
  name: string,
  namespace: string,
  outcome: Record<string, string> = {},
  spec: Partial<NonNullable<V1Job['spec']>> = {},
): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'stack-test' } },
    spec: {
      backoffLimit: 0,
      ...spec,
      template: {
        metadata: { annotations: outcome },
        spec: {
          restartPolicy: 'Never',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'main',
              image: 'public.ecr.aws/docker/library/busybox:1.36',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    },
  };
}

/** A JSON patch that clears every finalizer (ours among them): what an operator does by hand. */
const CLEAR_FINALIZERS = [{ op: 'add', path: '/metadata/finalizers', value: [] }];

/**
 * Deletes a test's Job and its pods for good, as no reconcile may be running to release our
 * finalizer: the finalizers are cleared first (docs/troubleshooting.md does the same with kubectl).
 */
export async function deleteJobForGood(clients: KubeClients, namespace: string, name: string): Promise<void> {
  const pods = await clients.core.listNamespacedPod({
    namespace,
    labelSelector: `batch.kubernetes.io/job-name=${name}`,
  });
  for (const pod of pods.items) {
    await clients.core
      .patchNamespacedPod({ namespace, name: pod.metadata?.name ?? '', body: CLEAR_FINALIZERS })
      .catch(() => {});
  }
  await clients.batch.patchNamespacedJob({ namespace, name, body: CLEAR_FINALIZERS }).catch(() => {});
  await clients.batch
    .deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' })
    .catch(() => {});
}
