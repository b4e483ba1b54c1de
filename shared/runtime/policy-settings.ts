import { readFileSync } from 'node:fs';
import { type Policy, parsePolicy } from '../core/submit/policy.ts';
import { list, optional } from './settings.ts';

/**
 * The policy comes from JOB_POLICY (inline JSON) or else JOB_POLICY_FILE (a path); with neither,
 * the built-in defaults apply, which allow no image at all. JOB_POLICY wins when both are set.
 */
export function readPolicyInput(env: NodeJS.ProcessEnv): unknown {
  const inline = optional(env, 'JOB_POLICY');
  const file = optional(env, 'JOB_POLICY_FILE');
  const source = inline ? 'JOB_POLICY' : file ? `JOB_POLICY_FILE (${env.JOB_POLICY_FILE})` : undefined;
  if (!source) return {};
  const text = inline ?? readFileSync(file ?? '', 'utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${(error as Error).message}`);
  }
}

/**
 * The principals CDK adds for its scheduled jobs (SCHEDULE_PRINCIPALS: each schedule's role may
 * submit as its request's owner), after the operator's own.
 */
function withSchedulePrincipals(input: unknown, env: NodeJS.ProcessEnv): unknown {
  const raw = optional(env, 'SCHEDULE_PRINCIPALS');
  if (!raw) return input;
  let scheduled: unknown;
  try {
    scheduled = JSON.parse(raw);
  } catch (error) {
    throw new Error(`SCHEDULE_PRINCIPALS is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(scheduled)) throw new Error('SCHEDULE_PRINCIPALS must be a JSON array');
  const policy = (input ?? {}) as { principals?: unknown[] };
  return { ...policy, principals: [...(policy.principals ?? []), ...scheduled] };
}

/** The operator policy of JOB_POLICY (or JOB_POLICY_FILE) and SCHEDULE_PRINCIPALS, checked; submit and reconcile read it. */
export function readPolicy(env: NodeJS.ProcessEnv = process.env): Policy {
  return parsePolicy(withSchedulePrincipals(readPolicyInput(env), env), list(env, 'JOBS_NAMESPACES'));
}
