import { DEFAULT_RECONCILE_CONFIG, type ReconcileConfig } from '../../shared/core/reconcile/plan.ts';
import { DEFAULT_RESULT_LIMITS } from '../../shared/core/reconcile/result.ts';
import type { Policy } from '../../shared/core/submit/policy.ts';
import { FUNCTIONS, MIN_RECORD_RETENTION_SECONDS } from '../../shared/resources.ts';
import { readPolicy } from '../../shared/runtime/policy-settings.ts';
import { flag, list, number, required } from '../../shared/runtime/settings.ts';

/** Terminal records outlive every delivery of their request (shared/resources.ts). */
const MIN_RETENTION_DAYS = MIN_RECORD_RETENTION_SECONDS / 86400;

/** What the reconcile function reads from its environment (docs/reconcile.md, "Configuration"). */
export interface ReconcileSettings {
  tableName: string;
  namespaces: string[];
  windowMs: number;
  /** Hand the watch from one invocation to the next (RECONCILE_HANDOFF, default true; handoff.ts). */
  handoff: boolean;
  logTailLines: number;
  config: ReconcileConfig;
  /** The operator policy (JOB_POLICY, as submit's): reconcile admits queued jobs by its quotas. */
  policy: Policy;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): ReconcileSettings {
  const namespaces = list(env, 'JOBS_NAMESPACES');
  if (namespaces.length === 0) throw new Error('JOBS_NAMESPACES names no namespace');
  const d = DEFAULT_RECONCILE_CONFIG;
  const { windowSeconds, maxWindowSeconds } = FUNCTIONS.reconcile;
  return {
    tableName: required(env, 'JOBS_TABLE_NAME'),
    namespaces,
    policy: readPolicy(env),
    windowMs: number(env, 'RECONCILE_WINDOW_SECONDS', windowSeconds, 0, maxWindowSeconds) * 1000,
    handoff: flag(env, 'RECONCILE_HANDOFF', true),
    logTailLines: number(env, 'LOG_TAIL_LINES', 50, 0, 10_000),
    config: {
      pendingLimitSeconds: number(env, 'PENDING_LIMIT_SECONDS', d.pendingLimitSeconds, 1, 7 * 24 * 3600),
      failOnPending: flag(env, 'FAIL_ON_PENDING', d.failOnPending),
      retentionSeconds:
        number(env, 'RETENTION_DAYS', d.retentionSeconds / 86400, MIN_RETENTION_DAYS, 3650) * 86400,
      lostGraceSeconds: number(env, 'LOST_GRACE_SECONDS', d.lostGraceSeconds, 0, 3600),
      submittedGraceSeconds: number(
        env,
        'SUBMITTED_GRACE_SECONDS',
        d.submittedGraceSeconds,
        0,
        400 * 24 * 3600,
      ),
      limits: {
        ...DEFAULT_RESULT_LIMITS,
        logTailBytes: number(env, 'LOG_TAIL_BYTES', DEFAULT_RESULT_LIMITS.logTailBytes, 0, 64 * 1024),
      },
    },
  };
}
