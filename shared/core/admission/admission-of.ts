import type { Reason } from '../job/record.ts';
import type { AdmissionPolicy } from '../submit/policy-admission.ts';
import type { SubmitRequest } from '../submit/request-schema.ts';
import type { ResolvedSpec } from '../submit/resolve.ts';
import { chargeOf, neverFits, quotasFor } from './quota.ts';
import type { Admission } from './types.ts';

/**
 * What a request would charge and where. `required`: a quota applies to its owner or namespace, or
 * it names dependencies; then it waits in QUEUED for admission. `refusal`: it alone is over a quota.
 */
export function admissionOf(
  request: SubmitRequest,
  spec: ResolvedSpec,
  policy: AdmissionPolicy,
  at: string,
): { admission: Admission; required: boolean; refusal?: Reason } {
  const quotas = quotasFor(request.owner, spec.namespace, policy);
  const charge = chargeOf(spec.resources, request);
  const admission: Admission = {
    charge,
    scopes: quotas.map((q) => q.scope),
    priority: policy.priorities[spec.priorityClassName ?? ''] ?? 0,
    queuedAt: at,
  };
  if (request.dependsOn?.length) admission.dependsOn = request.dependsOn.map((d) => ({ ...d }));
  const refusal = neverFits(charge, quotas);
  return { admission, required: quotas.length > 0 || !!admission.dependsOn, ...(refusal && { refusal }) };
}

/** Why a request's dependencies are refused: itself among them, or one that has no record. */
export function dependencyRefusals(
  jobId: string,
  dependsOn: readonly { jobId: string }[],
  known: ReadonlySet<string>,
): Reason[] {
  return dependsOn.flatMap((d, i): Reason[] => {
    if (d.jobId === jobId)
      return [
        {
          path: `dependsOn[${i}].jobId`,
          rule: 'request.dependency_cycle',
          message: 'a job cannot depend on itself',
        },
      ];
    if (known.has(d.jobId)) return [];
    return [
      {
        path: `dependsOn[${i}].jobId`,
        rule: 'request.unknown_dependency',
        message: `no job ${d.jobId}: a dependency must be submitted before the jobs that depend on it`,
      },
    ];
  });
}
