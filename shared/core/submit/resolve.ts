import type { Reason } from '../job/record.ts';
import type { Policy } from './policy.ts';
import type { SubmitRequest } from './request-schema.ts';
import { imageAllowed, resolveAccess } from './resolve-access.ts';
import { resolveLimits, resolveResources } from './resolve-limits.ts';
import { templateContainer } from './template.ts';

/** The values a Job is rendered with once request, template and defaults are combined. */
export interface ResolvedSpec {
  namespace: string;
  image: string;
  resources: { cpu: string; memory: string; ephemeralStorage: string; gpu: number };
  timeoutSeconds: number;
  /** Undefined for per-index backoff when the request gives no retries. */
  retries: number | undefined;
  ttlSecondsAfterFinished: number;
  priorityClassName: string | undefined;
  serviceAccountName: string | undefined;
  automountServiceAccountToken: boolean;
}

/** Records one violation of the policy: the field, the rule id and why. */
export type Deny = (path: string, rule: string, message: string) => void;

/**
 * Combines request, template and defaults (in that order) and checks the result against the policy.
 * Every violation is reported, in the order of the fields, so that one REJECTED record lists them all.
 */
export function resolve(request: SubmitRequest, policy: Policy): { spec: ResolvedSpec; reasons: Reason[] } {
  const reasons: Reason[] = [];
  const deny: Deny = (path, rule, message) => reasons.push({ path, rule, message });
  const container = policy.template && templateContainer(policy.template);

  const namespace = request.namespace ?? policy.defaultNamespace;
  if (!policy.allowedNamespaces.includes(namespace))
    deny(
      'namespace',
      'policy.namespace_not_allowed',
      `namespace ${namespace} is not one of ${policy.allowedNamespaces.join(', ')}`,
    );

  const image = request.image ?? container?.image ?? '';
  if (image === '')
    deny('image', 'policy.image_required', 'the request gives no image and the base template has none');
  else if (!imageAllowed(image, policy))
    deny('image', 'policy.image_not_allowed', `image ${image} is not from an allowed registry or prefix`);

  const resources = resolveResources(request, policy, container?.resources?.limits ?? {}, deny);
  const limits = resolveLimits(request, policy, deny);
  const access = resolveAccess(request, policy, deny);
  return { spec: { namespace, image, resources, ...limits, ...access }, reasons };
}
