import { z } from 'zod';
import { LABELS, RESERVED_PREFIX } from '../job/labels.ts';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isEnvName,
  isLabelValue,
  isQualifiedName,
  isQuantity,
  keyPrefix,
  parseImage,
} from './k8s-syntax.ts';

/**
 * Request contract v1: the JSON body of an SQS message. Defined once here; the JSON Schema in
 * docs/schema/job-request.v1.json is generated from it (scripts/generate-schema.ts).
 * Custom checks carry a stable rule id in `params.rule` (see reasons.ts).
 */
const rule = (id: string, message: string) => ({ message, params: { rule: id } });

export const JOB_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,199}$/;
export const jobIdSchema = z
  .string()
  .regex(
    JOB_ID_PATTERN,
    'jobId: 1-200 characters of A-Z a-z 0-9 . _ : / @ + = -, starting with a letter or digit',
  )
  .describe('The client idempotency key. Absent: the SQS message id is used (see docs/request.md).');

const ownerSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@+=-]{0,127}$/, 'owner: 1-128 characters of A-Z a-z 0-9 . _ : / @ + = -')
  .describe('Who the job is for; the byOwner index key.');

const dnsLabel = (what: string) =>
  z.string().refine(isDns1123Label, rule('k8s.dns1123_label', `${what} must be a DNS-1123 label`));
const dnsSubdomain = (what: string) =>
  z
    .string()
    .refine(isDns1123Subdomain, rule('k8s.dns1123_subdomain', `${what} must be a DNS-1123 subdomain`));

const quantity = z
  .string()
  .max(32)
  .refine(isQuantity, rule('k8s.quantity', 'must be a Kubernetes quantity such as 500m, 2, 512Mi or 1Gi'));

/** Our own keys and the ones Kubernetes reserves may not be set by a request. */
export function isReservedKey(key: string): boolean {
  const prefix = keyPrefix(key);
  if (key === LABELS.managedBy) return true;
  if (prefix === undefined) return false;
  const ours = RESERVED_PREFIX.slice(0, -1);
  if (prefix === ours || prefix.endsWith(`.${ours}`)) return true;
  const k8s = ['kubernetes.io', 'k8s.io'].some((p) => prefix === p || prefix.endsWith(`.${p}`));
  return k8s && prefix !== 'app.kubernetes.io';
}

const metadataKey = z
  .string()
  .refine(isQualifiedName, rule('k8s.qualified_name', 'must be a qualified name ([prefix/]name, name <= 63)'))
  .refine((key) => !isReservedKey(key), rule('labels.reserved_prefix', 'this key or prefix is reserved'));

const labels = z
  .record(
    metadataKey,
    z.string().refine(isLabelValue, rule('k8s.label_value', 'must be a label value (<= 63)')),
  )
  .refine((value) => Object.keys(value).length <= 32, rule('labels.too_many', 'at most 32 labels'));

/** Node selectors match node labels, the well-known `kubernetes.io` ones included: no reserved check. */
const nodeSelector = z
  .record(
    z
      .string()
      .refine(
        isQualifiedName,
        rule('k8s.qualified_name', 'must be a qualified name ([prefix/]name, name <= 63)'),
      ),
    z.string().refine(isLabelValue, rule('k8s.label_value', 'must be a label value (<= 63)')),
  )
  .refine(
    (value) => Object.keys(value).length <= 20,
    rule('node_selector.too_many', 'at most 20 node selector terms'),
  );

const annotations = z
  .record(metadataKey, z.string())
  .refine(
    (value) => Object.entries(value).reduce((n, [k, v]) => n + k.length + v.length, 0) <= 64 * 1024,
    rule('annotations.too_large', 'annotations may hold at most 64 KiB'),
  );

const envVar = z.union([
  z.strictObject({
    name: z.string().refine(isEnvName, rule('k8s.env_name', 'invalid variable name')),
    value: z.string().max(32 * 1024),
  }),
  z.strictObject({
    name: z.string().refine(isEnvName, rule('k8s.env_name', 'invalid variable name')),
    secretRef: z.strictObject({
      name: dnsSubdomain('secret name'),
      key: z.string().regex(/^[-._a-zA-Z0-9]{1,253}$/),
    }),
  }),
]);

const resources = z
  .strictObject({
    cpu: quantity.optional().describe('Cores, e.g. 500m or 2; request = limit.'),
    memory: quantity.optional().describe('Bytes, e.g. 512Mi; request = limit.'),
    ephemeralStorage: quantity.optional().describe('Bytes of local scratch space; request = limit.'),
    gpu: z.int().min(0).max(16).optional().describe('Whole GPUs (the policy names the resource).'),
  })
  .describe('Defaults and caps come from the operator policy.');

const exitCodeRule = z.strictObject({
  action: z.enum(['FailJob', 'FailIndex', 'Ignore', 'Count']),
  onExitCodes: z.strictObject({
    containerName: z.string().optional(),
    operator: z.enum(['In', 'NotIn']),
    values: z.array(z.int().min(0).max(255)).min(1).max(255),
  }),
});
const podConditionRule = z.strictObject({
  action: z.enum(['FailJob', 'FailIndex', 'Ignore', 'Count']),
  onPodConditions: z
    .array(
      z.strictObject({
        type: z.enum(['DisruptionTarget', 'ConfigIssue']),
        status: z.enum(['True', 'False', 'Unknown']).default('True'),
      }),
    )
    .min(1)
    .max(4),
});

const toleration = z.strictObject({
  key: z.string().refine(isQualifiedName, rule('k8s.qualified_name', 'must be a qualified name')).optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().max(63).optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.int().min(0).optional(),
});

const mountPath = z
  .string()
  .regex(/^\/[^:]*$/, 'must be an absolute path without ":"')
  .refine(
    (p) => p !== '/tmp' && !p.startsWith('/tmp/'),
    rule('volumes.reserved_path', '/tmp is the writable emptyDir the runner mounts'),
  );

const volume = z
  .strictObject({
    name: dnsLabel('volume name').refine(
      (n) => n !== 'tmp',
      rule('volumes.reserved_name', 'the volume name tmp is reserved'),
    ),
    mountPath,
    readOnly: z.boolean().optional(),
    emptyDir: z
      .strictObject({ medium: z.enum(['Memory']).optional(), sizeLimit: quantity.optional() })
      .optional(),
    persistentVolumeClaim: z.strictObject({ claimName: dnsSubdomain('claim name') }).optional(),
    configMap: z.strictObject({ name: dnsSubdomain('config map name') }).optional(),
  })
  .refine(
    (v) => [v.emptyDir, v.persistentVolumeClaim, v.configMap].filter((s) => s !== undefined).length === 1,
    rule('volumes.one_source', 'exactly one of emptyDir, persistentVolumeClaim, configMap'),
  );

const byName = <T extends { name: string }>(items: T[] | undefined) => {
  const names = (items ?? []).map((i) => i.name);
  return new Set(names).size === names.length;
};

export const submitRequestSchema = z
  .strictObject({
    version: z.literal(1).default(1).describe('The contract version.'),
    action: z.literal('submit').default('submit'),
    jobId: jobIdSchema.optional(),
    owner: ownerSchema,
    namespace: dnsLabel('namespace').optional().describe('Allow-listed; default: the first jobs namespace.'),
    image: z
      .string()
      .refine((i) => parseImage(i) !== undefined, rule('image.syntax', 'not a valid image reference'))
      .optional()
      .describe(
        'Required unless the base template gives one; allowed registries and prefixes come from the policy.',
      ),
    command: z.array(z.string().max(4096)).max(64).optional(),
    args: z.array(z.string().max(4096)).max(256).optional(),
    env: z
      .array(envVar)
      .max(100)
      .refine(byName, rule('env.duplicate', 'variable names must be unique'))
      .optional()
      .describe('Literals, or references to allow-listed secrets (name and key, never values).'),
    resources: resources.optional(),
    timeoutSeconds: z
      .int()
      .min(1)
      .max(7 * 24 * 3600)
      .optional()
      .describe('-> activeDeadlineSeconds.'),
    retries: z.int().min(0).max(100).optional().describe('-> backoffLimit.'),
    podFailurePolicy: z
      .strictObject({
        rules: z
          .array(z.union([exitCodeRule, podConditionRule]))
          .min(1)
          .max(20),
      })
      .optional(),
    ttlSecondsAfterFinished: z
      .int()
      .min(0)
      .max(30 * 24 * 3600)
      .optional(),
    parallelism: z.int().min(1).max(1000).optional(),
    completions: z.int().min(1).max(10000).optional(),
    completionMode: z.enum(['NonIndexed', 'Indexed']).optional(),
    backoffLimitPerIndex: z.int().min(0).max(100).optional().describe('Indexed jobs only.'),
    maxFailedIndexes: z.int().min(0).max(10000).optional().describe('With backoffLimitPerIndex only.'),
    nodeSelector: nodeSelector.optional(),
    tolerations: z.array(toleration).max(20).optional(),
    priorityClassName: dnsSubdomain('priority class name').optional(),
    labels: labels.optional().describe('Job labels.'),
    annotations: annotations.optional().describe('Job annotations.'),
    podLabels: labels.optional(),
    podAnnotations: annotations.optional(),
    volumes: z
      .array(volume)
      .max(20)
      .refine(byName, rule('volumes.duplicate', 'volume names must be unique'))
      .optional(),
    serviceAccountName: dnsSubdomain('service account name').optional(),
    automountServiceAccountToken: z
      .boolean()
      .optional()
      .describe('Only for service accounts the policy allows it.'),
  })
  .superRefine((req, ctx) => {
    const add = (path: string, id: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message, params: { rule: id } });
    if (req.completionMode === 'Indexed' && req.completions === undefined)
      add('completions', 'request.indexed_completions', 'Indexed jobs need completions');
    if (req.backoffLimitPerIndex !== undefined && req.completionMode !== 'Indexed')
      add(
        'backoffLimitPerIndex',
        'request.per_index_requires_indexed',
        'backoffLimitPerIndex needs completionMode Indexed',
      );
    if (req.maxFailedIndexes !== undefined && req.backoffLimitPerIndex === undefined)
      add(
        'maxFailedIndexes',
        'request.max_failed_requires_per_index',
        'maxFailedIndexes needs backoffLimitPerIndex',
      );
    req.podFailurePolicy?.rules.forEach((r, i) => {
      if (r.action === 'FailIndex' && req.backoffLimitPerIndex === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['podFailurePolicy', 'rules', i, 'action'],
          message: 'FailIndex needs backoffLimitPerIndex',
          params: { rule: 'request.fail_index_requires_per_index' },
        });
      if ('onExitCodes' in r && r.onExitCodes.operator === 'In' && r.onExitCodes.values.includes(0))
        ctx.addIssue({
          code: 'custom',
          path: ['podFailurePolicy', 'rules', i, 'onExitCodes', 'values'],
          message: 'exit code 0 cannot be used with operator In',
          params: { rule: 'request.exit_code_zero' },
        });
    });
    if (req.automountServiceAccountToken && req.serviceAccountName === undefined)
      add(
        'automountServiceAccountToken',
        'request.token_needs_service_account',
        'a token needs an allow-listed serviceAccountName',
      );
  });

export const cancelRequestSchema = z.strictObject({
  version: z.literal(1).default(1),
  action: z.literal('cancel'),
  jobId: jobIdSchema,
  requestedBy: ownerSchema.describe('Who cancels; recorded.'),
  reason: z.string().max(1024).optional().describe('Why; recorded.'),
});

/** The contract as one schema (for the JSON Schema): a submit, or a cancel. */
export const jobRequestSchema = z.union([submitRequestSchema, cancelRequestSchema]);

export type SubmitRequest = z.output<typeof submitRequestSchema>;
export type CancelRequest = z.output<typeof cancelRequestSchema>;
export type JobRequest = SubmitRequest | CancelRequest;
export type EnvVar = z.output<typeof envVar>;
export type VolumeRequest = z.output<typeof volume>;
