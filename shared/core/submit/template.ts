import type { V1Container, V1Job } from '@kubernetes/client-node';
import * as z from './zod.ts';

/**
 * The operator's base Job template (as Nautobot's Job manifest setting): a `batch/v1` Job whose
 * values the request overlays. Only the parts the runner reads are typed; the rest passes through
 * to the rendered Job. At most one container (the job's); the runner's own fields always win.
 */
const stringMap = z.record(z.string(), z.string());
const metadata = z.looseObject({ labels: z.optional(stringMap), annotations: z.optional(stringMap) });
const container = z.looseObject({
  name: z.optional(z.string()),
  image: z.optional(z.string()),
  resources: z.optional(z.looseObject({ limits: z.optional(stringMap), requests: z.optional(stringMap) })),
});

export const baseTemplateSchema = z.looseObject({
  apiVersion: z.optional(z.literal('batch/v1')),
  kind: z.optional(z.literal('Job')),
  metadata: z.optional(metadata),
  spec: z.optional(
    z.looseObject({
      activeDeadlineSeconds: z.optional(z.int().check(z.gte(1))),
      backoffLimit: z.optional(z.int().check(z.gte(0))),
      ttlSecondsAfterFinished: z.optional(z.int().check(z.gte(0))),
      template: z.optional(
        z.looseObject({
          metadata: z.optional(metadata),
          spec: z.optional(
            z.looseObject({
              containers: z.optional(
                z.array(container).check(z.maxLength(1, 'the base template may hold one container')),
              ),
              initContainers: z.optional(
                z.undefined({ error: 'the base template may not hold init containers' }),
              ),
              priorityClassName: z.optional(z.string()),
              serviceAccountName: z.optional(z.string()),
            }),
          ),
        }),
      ),
    }),
  ),
});

export type BaseTemplate = z.output<typeof baseTemplateSchema>;

export function templateContainer(template: BaseTemplate): z.output<typeof container> | undefined {
  return template.spec?.template?.spec?.containers?.[0];
}

/** The template as a V1Job to start rendering from (a deep copy). */
export function templateJob(template: BaseTemplate | undefined): V1Job {
  return structuredClone((template ?? {}) as V1Job);
}

export function templateContainerCopy(job: V1Job): V1Container {
  return { ...(job.spec?.template?.spec?.containers?.[0] ?? { name: 'job' }) } as V1Container;
}
