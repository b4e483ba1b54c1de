import { isQuantity } from './k8s-syntax.ts';
import * as z from './zod.ts';

/**
 * The admission part of the operator policy (docs/admission.md): quotas per owner and per
 * namespace, the fair-share weights across owners, and the order within an owner's queue.
 * No quota anywhere (the default) and no `dependsOn`: every job runs at once, as before.
 */
const quantity = z.string().check(z.refine(isQuantity, 'must be a Kubernetes quantity'));
const positive = z.int().check(z.gte(1));

export const quotaSchema = z.strictObject({
  /** Jobs admitted (PENDING or RUNNING) at once. */
  maxActiveJobs: z.optional(positive),
  /** Sums of the admitted jobs' requests times their parallelism. */
  cpu: z.optional(quantity),
  memory: z.optional(quantity),
  gpu: z.optional(z.int().check(z.gte(0))),
});

export const admissionPolicySchema = z._default(
  z.strictObject({
    quotas: z._default(
      z.strictObject({
        /** By exact owner name. */
        owners: z._default(z.record(z.string(), quotaSchema), {}),
        /** For every owner not named in `owners`; none by default. */
        defaultOwner: z.optional(quotaSchema),
        /** By namespace: the capacity the owners in it share fairly. */
        namespaces: z._default(z.record(z.string(), quotaSchema), {}),
      }),
      { owners: {}, namespaces: {} },
    ),
    /** Fair share across owners in a namespace: the one with the lowest dominant share per weight goes next. */
    weights: z._default(z.record(z.string(), z.number().check(z.gt(0))), {}),
    defaultWeight: z._default(z.number().check(z.gt(0)), 1),
    /** The value of each priority class for ordering an owner's queue; unnamed classes count 0. */
    priorities: z._default(z.record(z.string(), z.int()), {}),
    /** A waiting job's priority grows by one every this many seconds (no starvation). */
    agingSeconds: z._default(positive, 300),
  }),
  {
    quotas: { owners: {}, namespaces: {} },
    weights: {},
    defaultWeight: 1,
    priorities: {},
    agingSeconds: 300,
  },
);

export type AdmissionPolicy = z.output<typeof admissionPolicySchema>;
export type Quota = z.output<typeof quotaSchema>;
