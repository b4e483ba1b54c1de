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
import * as z from './zod.ts';

/** At most as many as AWS Batch allows. */
export const MAX_DEPENDENCIES = 20;

/**
 * Request contract v1: the JSON body of an SQS message. Defined once here; the JSON Schema in
 * docs/schema/job-request.v1.json is generated from it (scripts/generate-schema.ts).
 */
export const submitRequestSchema = z
  .strictObject({
    version: z._default(z.literal(1), 1).check(z.describe('The contract version.')),
    action: z._default(z.literal('submit'), 'submit'),
    jobId: z.optional(jobIdSchema),
    owner: ownerSchema,
    namespace: z
      .optional(dnsLabel('namespace'))
      .check(z.describe('Allow-listed; default: the first jobs namespace.')),
    image: z
      .optional(
        z
          .string()
          .check(
            z.refine((i) => parseImage(i) !== undefined, rule('image.syntax', 'not a valid image reference')),
          ),
      )
      .check(
        z.describe(
          'Required unless the base template gives one; allowed registries and prefixes come from the policy.',
        ),
      ),
    command: z.optional(z.array(z.string().check(z.maxLength(4096))).check(z.maxLength(64))),
    args: z.optional(z.array(z.string().check(z.maxLength(4096))).check(z.maxLength(256))),
    env: z
      .optional(
        z
          .array(envVar)
          .check(z.maxLength(100), z.refine(byName, rule('env.duplicate', 'variable names must be unique'))),
      )
      .check(z.describe('Literals, or references to allow-listed secrets (name and key, never values).')),
    resources: z.optional(resources),
    timeoutSeconds: z
      .optional(z.int().check(z.gte(1), z.lte(7 * 24 * 3600)))
      .check(z.describe('-> activeDeadlineSeconds.')),
    retries: z.optional(z.int().check(z.gte(0), z.lte(100))).check(z.describe('-> backoffLimit.')),
    podFailurePolicy: z.optional(
      z.strictObject({
        rules: z.array(z.union([exitCodeRule, podConditionRule])).check(z.minLength(1), z.maxLength(20)),
      }),
    ),
    ttlSecondsAfterFinished: z.optional(z.int().check(z.gte(0), z.lte(30 * 24 * 3600))),
    parallelism: z.optional(z.int().check(z.gte(1), z.lte(1000))),
    completions: z.optional(z.int().check(z.gte(1), z.lte(10000))),
    completionMode: z.optional(z.enum(['NonIndexed', 'Indexed'])),
    backoffLimitPerIndex: z
      .optional(z.int().check(z.gte(0), z.lte(100)))
      .check(z.describe('Indexed jobs only.')),
    maxFailedIndexes: z
      .optional(z.int().check(z.gte(0), z.lte(10000)))
      .check(z.describe('With backoffLimitPerIndex only.')),
    nodeSelector: z.optional(nodeSelector),
    tolerations: z.optional(z.array(toleration).check(z.maxLength(20))),
    priorityClassName: z.optional(dnsSubdomain('priority class name')),
    labels: z.optional(labels).check(z.describe('Job labels.')),
    annotations: z.optional(annotations).check(z.describe('Job annotations.')),
    podLabels: z.optional(labels),
    podAnnotations: z.optional(annotations),
    volumes: z.optional(
      z
        .array(volume)
        .check(z.maxLength(20), z.refine(byName, rule('volumes.duplicate', 'volume names must be unique'))),
    ),
    serviceAccountName: z.optional(dnsSubdomain('service account name')),
    automountServiceAccountToken: z
      .optional(z.boolean())
      .check(z.describe('Only for service accounts the policy allows it.')),
    dependsOn: z
      .optional(
        z
          .array(
            z.strictObject({
              jobId: jobIdSchema,
              condition: z._default(z.enum(['SUCCEEDED', 'FINISHED']), 'SUCCEEDED'),
            }),
          )
          .check(
            z.maxLength(MAX_DEPENDENCIES),
            z.refine(
              (deps) => new Set(deps.map((d) => d.jobId)).size === deps.length,
              rule('dependsOn.duplicate', 'each dependency may be named once'),
            ),
          ),
      )
      .check(
        z.describe(
          'Jobs that must end first (SUCCEEDED, or FINISHED: SUCCEEDED, FAILED or TIMED_OUT); each must exist when this request arrives (docs/admission.md).',
        ),
      ),
  })
  .check(
    z.superRefine((req, ctx) => {
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
    }),
  );

/** A request about an existing job: cancel it, or suspend or resume it (docs/admission.md). */
export const controlRequestSchema = z.strictObject({
  version: z._default(z.literal(1), 1),
  action: z.enum(['cancel', 'suspend', 'resume']),
  jobId: jobIdSchema,
  requestedBy: ownerSchema.check(z.describe('Who cancels, suspends or resumes; recorded.')),
  reason: z.optional(z.string().check(z.maxLength(1024))).check(z.describe('Why; recorded.')),
});

/** The contract as one schema (for the JSON Schema): a submit, or a cancel, suspend or resume. */
export const jobRequestSchema = z.union([submitRequestSchema, controlRequestSchema]);

export type SubmitRequest = z.output<typeof submitRequestSchema>;
export type ControlRequest = z.output<typeof controlRequestSchema>;
/** A cancel: the control request with `action: cancel`. */
export type CancelRequest = ControlRequest;
export type JobRequest = SubmitRequest | ControlRequest;
