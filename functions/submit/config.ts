import type { Policy } from '../../shared/core/submit/policy.ts';
import { readPolicy } from '../../shared/runtime/policy-settings.ts';
import { integer, required } from '../../shared/runtime/settings.ts';

export { readPolicyInput } from '../../shared/runtime/policy-settings.ts';

/** What the submit function reads from its environment (docs/request.md, "Configuration"). */
export interface SubmitSettings {
  tableName: string;
  policy: Policy;
  /** Records of a batch processed at once. */
  concurrency: number;
  /** Milliseconds before a Kubernetes request with no answer fails. */
  kubeTimeoutMs: number;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): SubmitSettings {
  return {
    tableName: required(env, 'JOBS_TABLE_NAME'),
    policy: readPolicy(env),
    concurrency: integer(env, 'SUBMIT_CONCURRENCY', 32, 1, 256),
    kubeTimeoutMs: integer(env, 'KUBE_REQUEST_TIMEOUT_MS', 5000, 100, 60_000),
  };
}
