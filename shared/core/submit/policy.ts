import { MIN_RECORD_RETENTION_SECONDS } from '../../resources.ts';
import { isDns1123Label, isQuantity, parseQuantity } from './k8s-syntax.ts';
import { admissionPolicySchema } from './policy-admission.ts';
import { baseTemplateSchema } from './template.ts';
import * as z from './zod.ts';

/**
 * The operator policy: allow-lists, caps and defaults, plus the base Job template. Loaded from
 * configuration (JOB_POLICY / JOB_POLICY_FILE, see functions/submit/config.ts). Precedence, highest
 * first: the runner's own fields; the policy's allow-lists and caps (they reject, never clamp);
 * the request; the base template; the policy's defaults (resolve.ts applies them).
 */
const quantity = z.string().check(z.refine(isQuantity, 'must be a Kubernetes quantity'));
const names = z._default(z.array(z.string().check(z.minLength(1))), []);

/**
 * Who may send what: a sender (the SQS record's SenderId, set by SQS from the sender's credentials)
 * mapped to the owners it may submit for (authorize.ts). A pattern is exact, or a prefix ending in
 * `*` (`AROAEXAMPLE:*`, every session of one role); `*` alone matches every sender.
 */
const principalSchema = z.strictObject({
  senderId: z.string().check(
    z.minLength(1),
    z.refine((id) => !id.slice(0, -1).includes('*'), 'a * may only end the pattern'),
  ),
  /** Owners this sender may submit for (and cancel the jobs of): exact names, or `*` for any. */
  owners: names,
  /** May cancel any owner's job (an operator). */
  cancelAny: z._default(z.boolean(), false),
});

const int = (min: number, fallback: number) => z._default(z.int().check(z.gte(min)), fallback);

export const policySchema = z.strictObject({
  /** Intersected with JOBS_NAMESPACES (where the Role is bound); absent = all of those. */
  namespaces: z.optional(
    z.array(z.string().check(z.refine(isDns1123Label, 'must be a DNS-1123 label'))).check(z.minLength(1)),
  ),
  defaultNamespace: z.optional(z.string()),
  images: z._default(
    z.strictObject({
      /** Registry hosts, e.g. `123456789012.dkr.ecr.eu-west-1.amazonaws.com` (`docker.io` for bare names). */
      allowedRegistries: names,
      /** Reference prefixes, e.g. `registry.example/team/`; a prefix matches at a `/`, `:` or `@` boundary. */
      allowedPrefixes: names,
    }),
    { allowedRegistries: [], allowedPrefixes: [] },
  ),
  secrets: names,
  serviceAccounts: z._default(
    z.array(
      z.strictObject({
        name: z.string().check(z.minLength(1)),
        automountToken: z._default(z.boolean(), false),
      }),
    ),
    [],
  ),
  priorityClasses: names,
  defaultPriorityClassName: z.optional(z.string()),
  persistentVolumeClaims: names,
  configMaps: names,
  /** The senders and the owners each may act for; none by default: every message is refused. */
  principals: z._default(z.array(principalSchema), []),
  /** Toleration keys a request may use; none by default. */
  tolerationKeys: names,
  /** Node selector keys a request may use; none by default. */
  nodeSelectorKeys: names,
  /** Pod label keys a request may set (pod labels select pods for Services and NetworkPolicies); none by default. */
  podLabelKeys: names,
  resources: z._default(
    z.strictObject({
      defaults: z._default(
        z.strictObject({
          cpu: z._default(quantity, '250m'),
          memory: z._default(quantity, '256Mi'),
          ephemeralStorage: z._default(quantity, '1Gi'),
        }),
        { cpu: '250m', memory: '256Mi', ephemeralStorage: '1Gi' },
      ),
      max: z._default(
        z.strictObject({
          cpu: z._default(quantity, '4'),
          memory: z._default(quantity, '8Gi'),
          ephemeralStorage: z._default(quantity, '20Gi'),
          gpu: int(0, 0),
        }),
        { cpu: '4', memory: '8Gi', ephemeralStorage: '20Gi', gpu: 0 },
      ),
      gpuResourceName: z._default(z.string(), 'nvidia.com/gpu'),
    }),
    {
      defaults: { cpu: '250m', memory: '256Mi', ephemeralStorage: '1Gi' },
      max: { cpu: '4', memory: '8Gi', ephemeralStorage: '20Gi', gpu: 0 },
      gpuResourceName: 'nvidia.com/gpu',
    },
  ),
  limits: z._default(
    z.strictObject({
      defaultTimeoutSeconds: int(1, 3600),
      maxTimeoutSeconds: int(1, 24 * 3600),
      defaultRetries: int(0, 0),
      maxRetries: int(0, 10),
      maxParallelism: int(1, 100),
      maxCompletions: int(1, 1000),
      defaultTtlSecondsAfterFinished: int(0, 3600),
      minTtlSecondsAfterFinished: int(0, 0),
      maxTtlSecondsAfterFinished: int(0, 7 * 24 * 3600),
    }),
    {
      defaultTimeoutSeconds: 3600,
      maxTimeoutSeconds: 24 * 3600,
      defaultRetries: 0,
      maxRetries: 10,
      maxParallelism: 100,
      maxCompletions: 1000,
      defaultTtlSecondsAfterFinished: 3600,
      minTtlSecondsAfterFinished: 0,
      maxTtlSecondsAfterFinished: 7 * 24 * 3600,
    },
  ),
  podSecurity: z._default(
    z.strictObject({
      runAsUser: int(1, 65532),
      runAsGroup: int(1, 65532),
      fsGroup: z.optional(z.int().check(z.gte(1))),
      readOnlyRootFilesystem: z._default(z.boolean(), true),
      tmpSizeLimit: z._default(quantity, '1Gi'),
    }),
    { runAsUser: 65532, runAsGroup: 65532, readOnlyRootFilesystem: true, tmpSizeLimit: '1Gi' },
  ),
  /** Seconds REJECTED and CANCELLED records are kept (DynamoDB TTL); they outlive any delivery. */
  recordRetentionSeconds: z._default(
    z.int().check(
      z.gte(MIN_RECORD_RETENTION_SECONDS, {
        message: `must be at least ${MIN_RECORD_RETENTION_SECONDS} (the queue's and the DLQ's retention): a record must outlive every delivery of its request`,
      }),
    ),
    30 * 24 * 3600,
  ),
  template: z.optional(baseTemplateSchema),
  /** Quotas, fair share and queue order (docs/admission.md); none by default. */
  admission: admissionPolicySchema,
});

export type PolicyInput = z.input<typeof policySchema>;
export type Principal = z.output<typeof principalSchema>;
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
  if (policy.recordRetentionSeconds < policy.limits.maxTtlSecondsAfterFinished) {
    throw new Error(
      'invalid job policy: recordRetentionSeconds must be at least limits.maxTtlSecondsAfterFinished: a record must outlive its Job',
    );
  }
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
