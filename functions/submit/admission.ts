import { admissionOf, dependencyRefusals } from '../../shared/core/admission/admission-of.ts';
import type { Admission } from '../../shared/core/admission/types.ts';
import type { Reason } from '../../shared/core/job/record.ts';
import type { SubmitRequest } from '../../shared/core/submit/request-schema.ts';
import type { ResolvedSpec } from '../../shared/core/submit/resolve.ts';
import type { MessageContext } from './deps.ts';

/**
 * Whether a submit waits for admission, and why it may not: a request over a quota on its own, or
 * one whose dependencies are itself or unknown (they must exist first, so no cycle can form).
 */
export async function admissionOfSubmit(
  ctx: MessageContext,
  request: SubmitRequest & { jobId: string },
  spec: ResolvedSpec,
): Promise<{ admission?: Admission; reasons: Reason[] }> {
  const { deps } = ctx;
  const { admission, required, refusal } = admissionOf(
    request,
    spec,
    deps.policy.admission,
    deps.now().toISOString(),
  );
  if (refusal) return { reasons: [refusal] };
  const dependsOn = admission.dependsOn ?? [];
  if (dependsOn.length > 0) {
    const known = await deps.reader.getStates(dependsOn.map((d) => d.jobId));
    const reasons = dependencyRefusals(request.jobId, dependsOn, new Set(known.keys()));
    if (reasons.length > 0) return { reasons };
  }
  return required ? { admission, reasons: [] } : { reasons: [] };
}
