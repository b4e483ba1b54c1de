import type { Reason } from '../job/record.ts';
import { parseQuantity } from '../submit/k8s-syntax.ts';
import type { AdmissionPolicy, Quota } from '../submit/policy-admission.ts';
import type { Limits, Scope, Usage } from './types.ts';
import { USAGE_DIMENSIONS } from './types.ts';

export const ZERO_USAGE: Usage = { jobs: 0, cpu: 0, memory: 0, gpu: 0 };

/** What a job charges while admitted: one job, and its pods' requests times the pods that run at once. */
export function chargeOf(
  resources: { cpu: string; memory: string; gpu: number },
  shape: { parallelism?: number; completions?: number },
): Usage {
  const pods = Math.min(shape.parallelism ?? 1, shape.completions ?? shape.parallelism ?? 1);
  return {
    jobs: 1,
    cpu: Math.round((parseQuantity(resources.cpu) ?? 0) * 1000) * pods,
    memory: Math.round(parseQuantity(resources.memory) ?? 0) * pods,
    gpu: resources.gpu * pods,
  };
}

export function addUsage(a: Usage, b: Usage): Usage {
  return { jobs: a.jobs + b.jobs, cpu: a.cpu + b.cpu, memory: a.memory + b.memory, gpu: a.gpu + b.gpu };
}

export function limitsOf(quota: Quota): Limits {
  const limits: Limits = {};
  if (quota.maxActiveJobs !== undefined) limits.jobs = quota.maxActiveJobs;
  if (quota.cpu !== undefined) limits.cpu = Math.round((parseQuantity(quota.cpu) ?? 0) * 1000);
  if (quota.memory !== undefined) limits.memory = Math.round(parseQuantity(quota.memory) ?? 0);
  if (quota.gpu !== undefined) limits.gpu = quota.gpu;
  return limits;
}

export interface ScopeQuota {
  scope: Scope;
  limits: Limits;
}

/** The quotas a job of `owner` in `namespace` counts against: its owner's, then its namespace's. */
export function quotasFor(owner: string, namespace: string, policy: AdmissionPolicy): ScopeQuota[] {
  const out: ScopeQuota[] = [];
  const ownerQuota = policy.quotas.owners[owner] ?? policy.quotas.defaultOwner;
  if (ownerQuota) out.push({ scope: `owner#${owner}`, limits: limitsOf(ownerQuota) });
  const namespaceQuota = policy.quotas.namespaces[namespace];
  if (namespaceQuota) {
    out.push({ scope: `namespace#${namespace}`, limits: limitsOf(namespaceQuota) });
    out.push({ scope: `share#${namespace}#${owner}`, limits: {} });
  }
  return out;
}

/** The quota of one scope, as the policy says now (a quota removed since is no cap). */
export function limitsOfScope(scope: Scope, policy: AdmissionPolicy): Limits {
  const [kind, name] = [scope.slice(0, scope.indexOf('#')), scope.slice(scope.indexOf('#') + 1)];
  const quota =
    kind === 'owner'
      ? (policy.quotas.owners[name] ?? policy.quotas.defaultOwner)
      : kind === 'namespace'
        ? policy.quotas.namespaces[name]
        : undefined;
  return quota ? limitsOf(quota) : {};
}

/** The first dimension in which `usage + charge` would pass `limits`; undefined when it fits. */
export function overLimit(usage: Usage, charge: Usage, limits: Limits): keyof Usage | undefined {
  return USAGE_DIMENSIONS.find(
    (d) => limits[d] !== undefined && usage[d] + charge[d] > (limits[d] as number),
  );
}

const UNITS: Record<keyof Usage, (n: number) => string> = {
  jobs: (n) => `${n}`,
  cpu: (n) => `${n / 1000}`,
  memory: (n) => `${Math.round((n / 2 ** 20) * 10) / 10}Mi`,
  gpu: (n) => `${n}`,
};
const NOUNS: Record<keyof Usage, string> = { jobs: 'active jobs', cpu: 'CPU', memory: 'memory', gpu: 'GPU' };

/** `owner team-a` from `owner#team-a`. */
export const scopeName = (scope: Scope): string => scope.replace('#', ' ');

/** "owner team-a at 10/10 active jobs": why a job waits. */
export function fullMessage(scope: Scope, usage: Usage, limits: Limits, dimension: keyof Usage): string {
  const unit = UNITS[dimension];
  return `${scopeName(scope)} at ${unit(usage[dimension])}/${unit(limits[dimension] ?? 0)} ${NOUNS[dimension]}`;
}

/** Why a job can never be admitted: it alone is over a quota. Undefined when it could fit. */
export function neverFits(charge: Usage, quotas: readonly ScopeQuota[]): Reason | undefined {
  for (const { scope, limits } of quotas) {
    const dimension = overLimit(ZERO_USAGE, charge, limits);
    if (dimension === undefined) continue;
    const unit = UNITS[dimension];
    return {
      path: dimension === 'jobs' ? '' : `resources.${dimension}`,
      rule: 'policy.quota_exceeded',
      message: `the job alone asks for ${unit(charge[dimension])} ${NOUNS[dimension]}, above the quota of ${scopeName(scope)} (${unit(limits[dimension] ?? 0)})`,
    };
  }
  return undefined;
}
