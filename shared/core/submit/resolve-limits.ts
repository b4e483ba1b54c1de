import { parseQuantity } from './k8s-syntax.ts';
import type { Policy } from './policy.ts';
import type { SubmitRequest } from './request-schema.ts';
import type { Deny, ResolvedSpec } from './resolve.ts';

/**
 * Resources: the request's, else the base template's limits, else the policy's defaults; each
 * under its cap and above zero.
 */
export function resolveResources(
  request: SubmitRequest,
  policy: Policy,
  template: Record<string, string>,
  deny: Deny,
): ResolvedSpec['resources'] {
  const d = policy.resources.defaults;
  const resources = {
    cpu: request.resources?.cpu ?? template.cpu ?? d.cpu,
    memory: request.resources?.memory ?? template.memory ?? d.memory,
    ephemeralStorage:
      request.resources?.ephemeralStorage ?? template['ephemeral-storage'] ?? d.ephemeralStorage,
    gpu: request.resources?.gpu ?? 0,
  };
  for (const key of ['cpu', 'memory', 'ephemeralStorage'] as const) {
    const value = parseQuantity(resources[key]);
    const cap = parseQuantity(policy.resources.max[key]);
    if (value === undefined || cap === undefined || value > cap)
      deny(
        `resources.${key}`,
        'policy.resource_cap',
        `${key} ${resources[key]} is above the cap ${policy.resources.max[key]}`,
      );
    if (value === 0) deny(`resources.${key}`, 'policy.resource_zero', `${key} must be above zero`);
  }
  if (resources.gpu > policy.resources.max.gpu)
    deny(
      'resources.gpu',
      'policy.resource_cap',
      `gpu ${resources.gpu} is above the cap ${policy.resources.max.gpu}`,
    );
  return resources;
}

/** Time, retries and size: the request's, else the base template's, else the policy's defaults; within the caps. */
export function resolveLimits(
  request: SubmitRequest,
  policy: Policy,
  deny: Deny,
): Pick<ResolvedSpec, 'timeoutSeconds' | 'retries' | 'ttlSecondsAfterFinished'> {
  const L = policy.limits;
  const t = policy.template?.spec;
  const timeoutSeconds = request.timeoutSeconds ?? t?.activeDeadlineSeconds ?? L.defaultTimeoutSeconds;
  if (timeoutSeconds > L.maxTimeoutSeconds)
    deny(
      'timeoutSeconds',
      'policy.timeout_cap',
      `timeoutSeconds ${timeoutSeconds} is above the cap ${L.maxTimeoutSeconds}`,
    );
  // Per-index backoff replaces the Job's backoffLimit: no default is put in its place.
  const perIndex = request.backoffLimitPerIndex !== undefined;
  const retries = request.retries ?? t?.backoffLimit ?? (perIndex ? undefined : L.defaultRetries);
  if (retries !== undefined && retries > L.maxRetries)
    deny('retries', 'policy.retries_cap', `retries ${retries} is above the cap ${L.maxRetries}`);
  if ((request.backoffLimitPerIndex ?? 0) > L.maxRetries)
    deny(
      'backoffLimitPerIndex',
      'policy.retries_cap',
      `backoffLimitPerIndex is above the cap ${L.maxRetries}`,
    );
  const ttl =
    request.ttlSecondsAfterFinished ?? t?.ttlSecondsAfterFinished ?? L.defaultTtlSecondsAfterFinished;
  if (ttl < L.minTtlSecondsAfterFinished || ttl > L.maxTtlSecondsAfterFinished)
    deny(
      'ttlSecondsAfterFinished',
      'policy.ttl_range',
      `ttlSecondsAfterFinished must be within ${L.minTtlSecondsAfterFinished}..${L.maxTtlSecondsAfterFinished}`,
    );
  if ((request.parallelism ?? 1) > L.maxParallelism)
    deny('parallelism', 'policy.parallelism_cap', `parallelism is above the cap ${L.maxParallelism}`);
  if ((request.completions ?? 1) > L.maxCompletions)
    deny('completions', 'policy.completions_cap', `completions is above the cap ${L.maxCompletions}`);
  return { timeoutSeconds, retries, ttlSecondsAfterFinished: ttl };
}
