import * as z from 'zod';
import { isEnvName, isQualifiedName } from './k8s-syntax.ts';
import { dnsLabel, dnsSubdomain, quantity, rule } from './request-fields.ts';

// The pod-level fields of request contract v1: environment, resources, failure rules, volumes.

export const envVar = z.union([
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

export const resources = z
  .strictObject({
    cpu: quantity.optional().describe('Cores, e.g. 500m or 2; request = limit.'),
    memory: quantity.optional().describe('Bytes, e.g. 512Mi; request = limit.'),
    ephemeralStorage: quantity.optional().describe('Bytes of local scratch space; request = limit.'),
    gpu: z.int().min(0).max(16).optional().describe('Whole GPUs (the policy names the resource).'),
  })
  .describe('Defaults and caps come from the operator policy.');

export const exitCodeRule = z.strictObject({
  action: z.enum(['FailJob', 'FailIndex', 'Ignore', 'Count']),
  onExitCodes: z.strictObject({
    containerName: z.string().optional(),
    operator: z.enum(['In', 'NotIn']),
    values: z.array(z.int().min(0).max(255)).min(1).max(255),
  }),
});
export const podConditionRule = z.strictObject({
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

export const toleration = z.strictObject({
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

export const volume = z
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

export type EnvVar = z.output<typeof envVar>;
export type VolumeRequest = z.output<typeof volume>;
