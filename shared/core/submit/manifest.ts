import type {
  V1EnvVar,
  V1Job,
  V1PodFailurePolicyRule,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import { ANNOTATIONS, FINALIZER, LABELS, MANAGER } from '../job/labels.ts';
import { labelValue } from '../job/name.ts';
import type { Policy } from './policy.ts';
import type { EnvVar, VolumeRequest } from './request-pod.ts';
import type { SubmitRequest } from './request-schema.ts';
import type { ResolvedSpec } from './resolve.ts';
import { templateContainerCopy, templateJob } from './template.ts';

export interface ManifestInput {
  jobId: string;
  jobName: string;
  owner: string;
  request: SubmitRequest;
  spec: ResolvedSpec;
  policy: Policy;
  requestHash: string;
  submittedAt: string;
  sourceMessageId: string;
  /** Created suspended: it waits for admission (docs/admission.md), which unsuspends it. */
  suspend?: boolean;
}

const TMP_VOLUME = 'tmp';

/** Keyed merge: the later list wins on a name, the earlier list's order is kept. */
function mergeByName<T extends { name: string }>(base: T[] | undefined, overlay: T[]): T[] {
  const names = new Set(overlay.map((i) => i.name));
  return [...(base ?? []).filter((i) => !names.has(i.name)), ...overlay];
}

function envVar(env: EnvVar): V1EnvVar {
  return 'secretRef' in env
    ? { name: env.name, valueFrom: { secretKeyRef: { name: env.secretRef.name, key: env.secretRef.key } } }
    : { name: env.name, value: env.value };
}

function volume(v: VolumeRequest): V1Volume {
  if (v.emptyDir) return { name: v.name, emptyDir: { ...v.emptyDir } };
  if (v.persistentVolumeClaim)
    return {
      name: v.name,
      persistentVolumeClaim: { claimName: v.persistentVolumeClaim.claimName, readOnly: v.readOnly },
    };
  return { name: v.name, configMap: { name: v.configMap?.name } };
}

function failureRule(
  rule: NonNullable<SubmitRequest['podFailurePolicy']>['rules'][number],
): V1PodFailurePolicyRule {
  if ('onExitCodes' in rule) {
    const values = [...new Set(rule.onExitCodes.values)].sort((a, b) => a - b);
    return { action: rule.action, onExitCodes: { ...rule.onExitCodes, values } };
  }
  return { action: rule.action, onPodConditions: rule.onPodConditions.map((c) => ({ ...c })) };
}

const nonEmpty = <T extends object>(value: T): T | undefined =>
  Object.keys(value).length > 0 ? value : undefined;

/**
 * Renders the Job: the base template, overlaid by the request and the policy defaults (already
 * combined in `spec`), then the runner's own fields (name, namespace, labels, annotations,
 * restartPolicy, the Pod Security `restricted` settings, the /tmp emptyDir, the token) last.
 */
export function renderJob(input: ManifestInput): V1Job {
  const { request, spec, policy } = input;
  const job = templateJob(policy.template);
  const tplSpec = job.spec ?? { template: {} };
  const tplPod = tplSpec.template?.spec ?? { containers: [] };
  const base = templateContainerCopy(job);
  const ps = policy.podSecurity;

  const requestMounts: V1VolumeMount[] = (request.volumes ?? []).map((v) => ({
    name: v.name,
    mountPath: v.mountPath,
    readOnly: v.readOnly,
  }));
  const overridden = new Set([TMP_VOLUME, ...(request.volumes ?? []).map((v) => v.name)]);
  const resources: Record<string, string> = {
    cpu: spec.resources.cpu,
    memory: spec.resources.memory,
    'ephemeral-storage': spec.resources.ephemeralStorage,
  };
  if (spec.resources.gpu > 0) resources[policy.resources.gpuResourceName] = String(spec.resources.gpu);

  const container = {
    ...base,
    name: base.name ?? 'job',
    image: spec.image,
    command: request.command ?? base.command,
    args: request.args ?? base.args,
    env: nonEmpty(mergeByName(base.env, (request.env ?? []).map(envVar))) as V1EnvVar[] | undefined,
    resources: { requests: { ...resources }, limits: { ...resources } },
    volumeMounts: [
      { name: TMP_VOLUME, mountPath: '/tmp' },
      ...(base.volumeMounts ?? []).filter((m) => !overridden.has(m.name) && m.mountPath !== '/tmp'),
      ...requestMounts,
    ],
    securityContext: {
      ...base.securityContext,
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      readOnlyRootFilesystem: ps.readOnlyRootFilesystem,
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
  if (container.env === undefined) delete container.env;

  const tplPodSc = tplPod.securityContext ?? {};
  const ownerLabel = labelValue(input.owner);
  return {
    ...job,
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: input.jobName,
      namespace: spec.namespace,
      // Our finalizer holds the Job, and its pods, until reconcile has recorded the outcome.
      finalizers: withFinalizer(job.metadata?.finalizers),
      labels: {
        ...job.metadata?.labels,
        ...request.labels,
        [LABELS.managedBy]: MANAGER,
        [LABELS.jobKey]: input.jobName,
        ...(ownerLabel ? { [LABELS.owner]: ownerLabel } : {}),
      },
      annotations: {
        ...job.metadata?.annotations,
        ...request.annotations,
        [ANNOTATIONS.jobId]: input.jobId,
        [ANNOTATIONS.owner]: input.owner,
        [ANNOTATIONS.requestHash]: input.requestHash,
        [ANNOTATIONS.submittedAt]: input.submittedAt,
        [ANNOTATIONS.sourceMessageId]: input.sourceMessageId,
      },
    },
    spec: {
      ...tplSpec,
      suspend: input.suspend ? true : undefined,
      activeDeadlineSeconds: spec.timeoutSeconds,
      backoffLimit: spec.retries,
      ttlSecondsAfterFinished: spec.ttlSecondsAfterFinished,
      parallelism: request.parallelism ?? tplSpec.parallelism,
      completions: request.completions ?? tplSpec.completions,
      completionMode: request.completionMode ?? tplSpec.completionMode,
      backoffLimitPerIndex: request.backoffLimitPerIndex,
      maxFailedIndexes: request.maxFailedIndexes,
      podFailurePolicy: request.podFailurePolicy
        ? { rules: request.podFailurePolicy.rules.map(failureRule) }
        : tplSpec.podFailurePolicy,
      template: {
        metadata: {
          finalizers: withFinalizer(tplSpec.template?.metadata?.finalizers),
          labels: {
            ...tplSpec.template?.metadata?.labels,
            ...request.podLabels,
            [LABELS.managedBy]: MANAGER,
            [LABELS.jobKey]: input.jobName,
          },
          annotations: nonEmpty({ ...tplSpec.template?.metadata?.annotations, ...request.podAnnotations }),
        },
        spec: {
          ...tplPod,
          restartPolicy: 'Never',
          serviceAccountName: spec.serviceAccountName,
          automountServiceAccountToken: spec.automountServiceAccountToken,
          priorityClassName: spec.priorityClassName,
          nodeSelector: nonEmpty({ ...tplPod.nodeSelector, ...request.nodeSelector }),
          tolerations: nonEmpty([...(tplPod.tolerations ?? []), ...(request.tolerations ?? [])]),
          securityContext: {
            ...tplPodSc,
            runAsNonRoot: true,
            runAsUser: tplPodSc.runAsUser && tplPodSc.runAsUser > 0 ? tplPodSc.runAsUser : ps.runAsUser,
            runAsGroup: tplPodSc.runAsGroup && tplPodSc.runAsGroup > 0 ? tplPodSc.runAsGroup : ps.runAsGroup,
            fsGroup: tplPodSc.fsGroup ?? ps.fsGroup,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          volumes: [
            { name: TMP_VOLUME, emptyDir: { sizeLimit: ps.tmpSizeLimit } },
            ...(tplPod.volumes ?? []).filter((v) => !overridden.has(v.name)),
            ...(request.volumes ?? []).map(volume),
          ],
          containers: [container],
        },
      },
    },
  };
}

function withFinalizer(finalizers: readonly string[] = []): string[] {
  return [...new Set([...finalizers, FINALIZER])];
}
