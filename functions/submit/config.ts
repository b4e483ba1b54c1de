import { readFileSync } from 'node:fs';
import { type Policy, parsePolicy } from '../../shared/core/submit/policy.ts';

/** What the submit function reads from its environment (docs/request.md, "Configuration"). */
export interface SubmitSettings {
  tableName: string;
  /**
   * The bus of "Job State Change" events (REJECTED, CANCELLED). Optional: publishing is best effort,
   * so without a bus submit still works and only publishes nothing.
   */
  eventBusName?: string;
  policy: Policy;
  /** Records of a batch processed at once. */
  concurrency: number;
  /** Milliseconds before a Kubernetes request with no answer fails. */
  kubeTimeoutMs: number;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is required`);
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return value;
}

/**
 * The policy comes from JOB_POLICY (inline JSON) or else JOB_POLICY_FILE (a path); with neither,
 * the built-in defaults apply, which allow no image at all. JOB_POLICY wins when both are set.
 */
export function readPolicyInput(env: NodeJS.ProcessEnv): unknown {
  const inline = env.JOB_POLICY?.trim();
  const source = inline
    ? 'JOB_POLICY'
    : env.JOB_POLICY_FILE?.trim()
      ? `JOB_POLICY_FILE (${env.JOB_POLICY_FILE})`
      : undefined;
  if (!source) return {};
  const text = inline ?? readFileSync(env.JOB_POLICY_FILE?.trim() ?? '', 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): SubmitSettings {
  const namespaces = required(env, 'JOBS_NAMESPACES')
    .split(',')
    .map((ns) => ns.trim())
    .filter(Boolean);
  return {
    tableName: required(env, 'JOBS_TABLE_NAME'),
    eventBusName: env.EVENT_BUS_NAME?.trim() || undefined,
    policy: parsePolicy(readPolicyInput(env), namespaces),
    concurrency: integer(env, 'SUBMIT_CONCURRENCY', 32, 1, 256),
    kubeTimeoutMs: integer(env, 'KUBE_REQUEST_TIMEOUT_MS', 5000, 100, 60_000),
  };
}
