import type { V1Container, V1Job } from '@kubernetes/client-node';
import * as z from 'zod';

/**
 * The operator's base Job template (as Nautobot's Job manifest setting): a `batch/v1` Job whose
 * values the request overlays. Only the parts the runner reads are typed; the rest passes through
 * to the rendered Job. At most one container (the job's); the runner's own fields always win.
 */
const stringMap = z.record(z.string(), z.string());
const metadata = z.looseObject({ labels: stringMap.optional(), annotations: stringMap.optional() });
const container = z.looseObject({
  name: z.string().optional(),
  image: z.string().optional(),
  resources: z.looseObject({ limits: stringMap.optional(), requests: stringMap.optional() }).optional(),
});

export const baseTemplateSchema = z.looseObject({
  apiVersion: z.literal('batch/v1').optional(),
  kind: z.literal('Job').optional(),
  metadata: metadata.optional(),
  spec: z
    .looseObject({
      activeDeadlineSeconds: z.int().min(1).optional(),
      backoffLimit: z.int().min(0).optional(),
      ttlSecondsAfterFinished: z.int().min(0).optional(),
      template: z
        .looseObject({
          metadata: metadata.optional(),
          spec: z
            .looseObject({
              containers: z.array(container).max(1, 'the base template may hold one container').optional(),
              initContainers: z
                .undefined({ error: 'the base template may not hold init containers' })
                .optional(),
              priorityClassName: z.string().optional(),
              serviceAccountName: z.string().optional(),
            })
            .optional(),
        })
        .optional(),
    })
    .optional(),
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
