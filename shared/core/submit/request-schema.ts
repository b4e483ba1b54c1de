import * as z from 'zod';
import { parseImage } from './k8s-syntax.ts';
import {
  annotations,
  byName,
  dnsLabel,
  dnsSubdomain,
  jobIdSchema,
  labels,
  nodeSelector,
  ownerSchema,
  rule,
} from './request-fields.ts';
import { envVar, exitCodeRule, podConditionRule, resources, toleration, volume } from './request-pod.ts';

/**
 * Request contract v1: the JSON body of an SQS message. Defined once here; the JSON Schema in
 * docs/schema/job-request.v1.json is generated from it (scripts/generate-schema.ts).
 */
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
