import { isEnvName, isQualifiedName } from './k8s-syntax.ts';
import { dnsLabel, dnsSubdomain, quantity, rule } from './request-fields.ts';
import * as z from './zod.ts';

// The pod-level fields of request contract v1: environment, resources, failure rules, volumes.

export const envVar = z.union([
  z.strictObject({
    name: z.string().check(z.refine(isEnvName, rule('k8s.env_name', 'invalid variable name'))),
    value: z.string().check(z.maxLength(32 * 1024)),
  }),
  z.strictObject({
    name: z.string().check(z.refine(isEnvName, rule('k8s.env_name', 'invalid variable name'))),
    secretRef: z.strictObject({
      name: dnsSubdomain('secret name'),
      key: z.string().check(z.regex(/^[-._a-zA-Z0-9]{1,253}$/)),
    }),
  }),
]);

export const resources = z
  .strictObject({
    cpu: z.optional(quantity).check(z.describe('Cores, e.g. 500m or 2; request = limit.')),
    memory: z.optional(quantity).check(z.describe('Bytes, e.g. 512Mi; request = limit.')),
    ephemeralStorage: z
      .optional(quantity)
      .check(z.describe('Bytes of local scratch space; request = limit.')),
    gpu: z
      .optional(z.int().check(z.gte(0), z.lte(16)))
      .check(z.describe('Whole GPUs (the policy names the resource).')),
  })
  .check(z.describe('Defaults and caps come from the operator policy.'));

export const exitCodeRule = z.strictObject({
  action: z.enum(['FailJob', 'FailIndex', 'Ignore', 'Count']),
  onExitCodes: z.strictObject({
    containerName: z.optional(z.string()),
    operator: z.enum(['In', 'NotIn']),
    values: z.array(z.int().check(z.gte(0), z.lte(255))).check(z.minLength(1), z.maxLength(255)),
  }),
});
export const podConditionRule = z.strictObject({
  action: z.enum(['FailJob', 'FailIndex', 'Ignore', 'Count']),
  onPodConditions: z
    .array(
      z.strictObject({
        type: z.enum(['DisruptionTarget', 'ConfigIssue']),
        status: z._default(z.enum(['True', 'False', 'Unknown']), 'True'),
      }),
    )
    .check(z.minLength(1), z.maxLength(4)),
});

export const toleration = z.strictObject({
  key: z.optional(
    z.string().check(z.refine(isQualifiedName, rule('k8s.qualified_name', 'must be a qualified name'))),
  ),
  operator: z.optional(z.enum(['Exists', 'Equal'])),
  value: z.optional(z.string().check(z.maxLength(63))),
  effect: z.optional(z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute'])),
  tolerationSeconds: z.optional(z.int().check(z.gte(0))),
});

const mountPath = z.string().check(
  z.regex(/^\/[^:]*$/, 'must be an absolute path without ":"'),
  z.refine(
    (p) => p !== '/tmp' && !p.startsWith('/tmp/'),
    rule('volumes.reserved_path', '/tmp is the writable emptyDir the runner mounts'),
  ),
);

export const volume = z
  .strictObject({
    name: dnsLabel('volume name').check(
      z.refine((n) => n !== 'tmp', rule('volumes.reserved_name', 'the volume name tmp is reserved')),
    ),
    mountPath,
    readOnly: z.optional(z.boolean()),
    emptyDir: z.optional(
      z.strictObject({ medium: z.optional(z.enum(['Memory'])), sizeLimit: z.optional(quantity) }),
    ),
    persistentVolumeClaim: z.optional(z.strictObject({ claimName: dnsSubdomain('claim name') })),
    configMap: z.optional(z.strictObject({ name: dnsSubdomain('config map name') })),
  })
  .check(
    z.refine(
      (v) => [v.emptyDir, v.persistentVolumeClaim, v.configMap].filter((s) => s !== undefined).length === 1,
      rule('volumes.one_source', 'exactly one of emptyDir, persistentVolumeClaim, configMap'),
    ),
  );

export type EnvVar = z.output<typeof envVar>;
export type VolumeRequest = z.output<typeof volume>;
