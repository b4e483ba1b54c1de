import { z } from 'zod';
import type { Reason } from '../job/record.ts';
import { isDns1123Label, isQuantity, parseImage, parseQuantity } from './k8s-syntax.ts';
import type { SubmitRequest } from './request-schema.ts';
import { type BaseTemplate, baseTemplateSchema, templateContainer } from './template.ts';

/**
 * The operator policy: allow-lists, caps and defaults, plus the base Job template. Loaded from
 * configuration (JOB_POLICY / JOB_POLICY_FILE, see functions/submit/config.ts). Precedence, highest
 * first: the runner's own fields; the policy's allow-lists and caps (they reject, never clamp);
 * the request; the base template; the policy's defaults.
 */
const quantity = z.string().refine(isQuantity, 'must be a Kubernetes quantity');
const names = z.array(z.string().min(1)).default([]);

export const policySchema = z.strictObject({
  /** Intersected with JOBS_NAMESPACES (where the Role is bound); absent = all of those. */
  namespaces: z.array(z.string().refine(isDns1123Label, 'must be a DNS-1123 label')).min(1).optional(),
  defaultNamespace: z.string().optional(),
  images: z
    .strictObject({
      /** Registry hosts, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com` (`docker.io` for bare names). */
      allowedRegistries: names,
      /** Reference prefixes, e.g. `registry.example/team/`; a prefix matches at a `/`, `:` or `@` boundary. */
      allowedPrefixes: names,
    })
    .default({ allowedRegistries: [], allowedPrefixes: [] }),
  secrets: names,
  serviceAccounts: z
    .array(z.strictObject({ name: z.string().min(1), automountToken: z.boolean().default(false) }))
    .default([]),
  priorityClasses: names,
  defaultPriorityClassName: z.string().optional(),
  persistentVolumeClaims: names,
  configMaps: names,
  /** Toleration keys a request may use; absent = any. */
  tolerationKeys: z.array(z.string()).optional(),
  /** Node selector keys a request may use; absent = any. */
  nodeSelectorKeys: z.array(z.string()).optional(),
  resources: z
    .strictObject({
      defaults: z
        .strictObject({
          cpu: quantity.default('250m'),
          memory: quantity.default('256Mi'),
          ephemeralStorage: quantity.default('1Gi'),
        })
        .default({ cpu: '250m', memory: '256Mi', ephemeralStorage: '1Gi' }),
      max: z
        .strictObject({
          cpu: quantity.default('4'),
          memory: quantity.default('8Gi'),
          ephemeralStorage: quantity.default('20Gi'),
          gpu: z.int().min(0).default(0),
        })
        .default({ cpu: '4', memory: '8Gi', ephemeralStorage: '20Gi', gpu: 0 }),
      gpuResourceName: z.string().default('nvidia.com/gpu'),
    })
    .default({
      defaults: { cpu: '250m', memory: '256Mi', ephemeralStorage: '1Gi' },
      max: { cpu: '4', memory: '8Gi', ephemeralStorage: '20Gi', gpu: 0 },
      gpuResourceName: 'nvidia.com/gpu',
    }),
  limits: z
    .strictObject({
      defaultTimeoutSeconds: z.int().min(1).default(3600),
      maxTimeoutSeconds: z
        .int()
        .min(1)
        .default(24 * 3600),
      defaultRetries: z.int().min(0).default(0),
      maxRetries: z.int().min(0).default(10),
      maxParallelism: z.int().min(1).default(100),
      maxCompletions: z.int().min(1).default(1000),
      defaultTtlSecondsAfterFinished: z.int().min(0).default(3600),
      minTtlSecondsAfterFinished: z.int().min(0).default(60),
      maxTtlSecondsAfterFinished: z
        .int()
        .min(0)
        .default(7 * 24 * 3600),
    })
    .default({
      defaultTimeoutSeconds: 3600,
      maxTimeoutSeconds: 24 * 3600,
      defaultRetries: 0,
      maxRetries: 10,
      maxParallelism: 100,
      maxCompletions: 1000,
      defaultTtlSecondsAfterFinished: 3600,
      minTtlSecondsAfterFinished: 60,
      maxTtlSecondsAfterFinished: 7 * 24 * 3600,
    }),
  podSecurity: z
    .strictObject({
      runAsUser: z.int().min(1).default(65532),
      runAsGroup: z.int().min(1).default(65532),
      fsGroup: z.int().min(1).optional(),
      readOnlyRootFilesystem: z.boolean().default(true),
      tmpSizeLimit: quantity.default('1Gi'),
    })
    .default({ runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true, tmpSizeLimit: '1Gi' }),
  /** Seconds REJECTED and CANCELLED records are kept (DynamoDB TTL). */
  recordRetentionSeconds: z
    .int()
    .min(3600)
    .default(30 * 24 * 3600),
  template: baseTemplateSchema.optional(),
});

export type PolicyInput = z.input<typeof policySchema>;
export type Policy = z.output<typeof policySchema> & {
  allowedNamespaces: string[];
  defaultNamespace: string;
};

/** Parses and checks a policy; throws with every problem listed (a bad policy must fail the deploy, not the jobs). */
export function parsePolicy(input: unknown, jobsNamespaces: string[]): Policy {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    throw new Error(
      `invalid job policy: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const policy = parsed.data;
  const allowedNamespaces = policy.namespaces
    ? jobsNamespaces.filter((n) => policy.namespaces?.includes(n))
    : jobsNamespaces;
  if (allowedNamespaces.length === 0)
    throw new Error('invalid job policy: no namespace is both allowed and in JOBS_NAMESPACES');
  const defaultNamespace = policy.defaultNamespace ?? allowedNamespaces[0];
  if (!defaultNamespace || !allowedNamespaces.includes(defaultNamespace)) {
    throw new Error(`invalid job policy: defaultNamespace ${defaultNamespace} is not an allowed namespace`);
  }
  for (const [key, value] of Object.entries(policy.resources.defaults)) {
    const cap = policy.resources.max[key as keyof typeof policy.resources.defaults];
    if ((parseQuantity(value) ?? 0) > (parseQuantity(cap) ?? 0))
      throw new Error(`invalid job policy: resources.defaults.${key} is above its cap`);
  }
  return { ...policy, allowedNamespaces, defaultNamespace };
}

/** The values a Job is rendered with once request, template and defaults are combined. */
export interface ResolvedSpec {
  namespace: string;
  image: string;
  resources: { cpu: string; memory: string; ephemeralStorage: string; gpu: number };
  timeoutSeconds: number;
  /** Undefined for per-index backoff when the request gives no retries. */
  retries: number | undefined;
  ttlSecondsAfterFinished: number;
  priorityClassName: string | undefined;
  serviceAccountName: string | undefined;
  automountServiceAccountToken: boolean;
}

export function imageAllowed(image: string, policy: Policy): boolean {
  const ref = parseImage(image);
  if (!ref) return false;
  if (policy.images.allowedRegistries.includes(ref.registry)) return true;
  // A prefix is matched against the reference as written and in its full form
  // (`busybox:1` is `docker.io/library/busybox:1`).
  const full = `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  return policy.images.allowedPrefixes.some((prefix) =>
    [image, full].some((candidate) => {
      if (!candidate.startsWith(prefix)) return false;
      if (candidate.length === prefix.length || /[/:@]$/.test(prefix)) return true;
      return /[/:@]/.test(candidate.charAt(prefix.length));
    }),
  );
}

function templateValue<T>(
  template: BaseTemplate | undefined,
  pick: (t: BaseTemplate) => T | undefined,
): T | undefined {
  return template ? pick(template) : undefined;
}

/** Combines request, template and defaults (in that order) and checks the result against the policy. */
export function resolve(request: SubmitRequest, policy: Policy): { spec: ResolvedSpec; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const deny = (path: string, rule: string, message: string) => reasons.push({ path, rule, message });
  const t = policy.template;
  const container = t ? templateContainer(t) : undefined;
  const limits = container?.resources?.limits ?? {};

  const namespace = request.namespace ?? policy.defaultNamespace;
  if (!policy.allowedNamespaces.includes(namespace))
    deny(
      'namespace',
      'policy.namespace_not_allowed',
      `namespace ${namespace} is not one of ${policy.allowedNamespaces.join(', ')}`,
    );

  const image = request.image ?? container?.image ?? '';
  if (image === '')
    deny('image', 'policy.image_required', 'the request gives no image and the base template has none');
  else if (!imageAllowed(image, policy))
    deny('image', 'policy.image_not_allowed', `image ${image} is not from an allowed registry or prefix`);

  const d = policy.resources.defaults;
  const resources = {
    cpu: request.resources?.cpu ?? limits.cpu ?? d.cpu,
    memory: request.resources?.memory ?? limits.memory ?? d.memory,
    ephemeralStorage:
      request.resources?.ephemeralStorage ?? limits['ephemeral-storage'] ?? d.ephemeralStorage,
    gpu: request.resources?.gpu ?? 0,
  };
  for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    const value = parseQuantity(resources[key]);
    const cap = parseQuantity(policy.resources.max[key]);
    if (value === undefined || cap === undefined || value > cap)
      deny(
        `resources.${key}`,
        'policy.resource_cap',
        `${key} ${resources[key]} is above the cap ${policy.resources.max[key]}`,
      );
    if (value === 0) deny(`resources.${key}`, 'policy.resource_zero', `${key} must be above zero`);
  }
  if (resources.gpu > policy.resources.max.gpu)
    deny(
      'resources.gpu',
      'policy.resource_cap',
      `gpu ${resources.gpu} is above the cap ${policy.resources.max.gpu}`,
    );

  const L = policy.limits;
  const timeoutSeconds =
    request.timeoutSeconds ??
    templateValue(t, (x) => x.spec?.activeDeadlineSeconds) ??
    L.defaultTimeoutSeconds;
  if (timeoutSeconds > L.maxTimeoutSeconds)
    deny(
      'timeoutSeconds',
      'policy.timeout_cap',
      `timeoutSeconds ${timeoutSeconds} is above the cap ${L.maxTimeoutSeconds}`,
    );
  const perIndex = request.backoffLimitPerIndex !== undefined;
  const retries =
    request.retries ??
    templateValue(t, (x) => x.spec?.backoffLimit) ??
    (perIndex ? undefined : L.defaultRetries);
  if (retries !== undefined && retries > L.maxRetries)
    deny('retries', 'policy.retries_cap', `retries ${retries} is above the cap ${L.maxRetries}`);
  if ((request.backoffLimitPerIndex ?? 0) > L.maxRetries)
    deny(
      'backoffLimitPerIndex',
      'policy.retries_cap',
      `backoffLimitPerIndex is above the cap ${L.maxRetries}`,
    );
  const ttl =
    request.ttlSecondsAfterFinished ??
    templateValue(t, (x) => x.spec?.ttlSecondsAfterFinished) ??
    L.defaultTtlSecondsAfterFinished;
  if (ttl < L.minTtlSecondsAfterFinished || ttl > L.maxTtlSecondsAfterFinished)
    deny(
      'ttlSecondsAfterFinished',
      'policy.ttl_range',
      `ttlSecondsAfterFinished must be within ${L.minTtlSecondsAfterFinished}..${L.maxTtlSecondsAfterFinished}`,
    );
  if ((request.parallelism ?? 1) > L.maxParallelism)
    deny('parallelism', 'policy.parallelism_cap', `parallelism is above the cap ${L.maxParallelism}`);
  if ((request.completions ?? 1) > L.maxCompletions)
    deny('completions', 'policy.completions_cap', `completions is above the cap ${L.maxCompletions}`);

  const priorityClassName =
    request.priorityClassName ??
    templateValue(t, (x) => x.spec?.template?.spec?.priorityClassName) ??
    policy.defaultPriorityClassName;
  if (request.priorityClassName !== undefined && !policy.priorityClasses.includes(request.priorityClassName))
    deny(
      'priorityClassName',
      'policy.priority_class_not_allowed',
      `priority class ${request.priorityClassName} is not allowed`,
    );

  const serviceAccountName =
    request.serviceAccountName ?? templateValue(t, (x) => x.spec?.template?.spec?.serviceAccountName);
  const account = policy.serviceAccounts.find((a) => a.name === request.serviceAccountName);
  if (request.serviceAccountName !== undefined && !account)
    deny(
      'serviceAccountName',
      'policy.service_account_not_allowed',
      `service account ${request.serviceAccountName} is not allowed`,
    );
  const automountServiceAccountToken = request.automountServiceAccountToken === true;
  if (automountServiceAccountToken && account && !account.automountToken)
    deny(
      'automountServiceAccountToken',
      'policy.token_not_allowed',
      `service account ${account.name} may not mount its token`,
    );

  request.env?.forEach((env, i) => {
    if ('secretRef' in env && !policy.secrets.includes(env.secretRef.name))
      deny(
        `env[${i}].secretRef.name`,
        'policy.secret_not_allowed',
        `secret ${env.secretRef.name} is not allowed`,
      );
  });
  request.volumes?.forEach((v, i) => {
    if (v.persistentVolumeClaim && !policy.persistentVolumeClaims.includes(v.persistentVolumeClaim.claimName))
      deny(
        `volumes[${i}].persistentVolumeClaim.claimName`,
        'policy.pvc_not_allowed',
        `claim ${v.persistentVolumeClaim.claimName} is not allowed`,
      );
    if (v.configMap && !policy.configMaps.includes(v.configMap.name))
      deny(
        `volumes[${i}].configMap.name`,
        'policy.config_map_not_allowed',
        `config map ${v.configMap.name} is not allowed`,
      );
  });
  const tolerationKeys = policy.tolerationKeys;
  request.tolerations?.forEach((tol, i) => {
    if (tolerationKeys && !(tol.key !== undefined && tolerationKeys.includes(tol.key)))
      deny(
        `tolerations[${i}].key`,
        'policy.toleration_not_allowed',
        `toleration key ${tol.key ?? '(any)'} is not allowed`,
      );
  });
  const selectorKeys = policy.nodeSelectorKeys;
  for (const key of Object.keys(request.nodeSelector ?? {})) {
    if (selectorKeys && !selectorKeys.includes(key))
      deny(
        `nodeSelector.${key}`,
        'policy.node_selector_not_allowed',
        `node selector key ${key} is not allowed`,
      );
  }

  return {
    spec: {
      namespace,
      image,
      resources,
      timeoutSeconds,
      retries,
      ttlSecondsAfterFinished: ttl,
      priorityClassName,
      serviceAccountName,
      automountServiceAccountToken,
    },
    reasons,
  };
}
