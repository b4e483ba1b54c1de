import { DEFAULT_RECONCILE_CONFIG, type ReconcileConfig } from '../../shared/core/reconcile/plan.ts';
import { DEFAULT_RESULT_LIMITS } from '../../shared/core/reconcile/result.ts';

/** What the reconcile function reads from its environment (docs/reconcile.md, "Configuration"). */
export interface ReconcileSettings {
  tableName: string;
  eventBusName: string;
  namespaces: string[];
  windowMs: number;
  logTailLines: number;
  config: ReconcileConfig;
}

function number(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new Error(`${name} must be a number from ${min} to ${max}, not "${raw}"`);
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['true', '1', 'yes'].includes(raw)) return true;
  if (['false', '0', 'no'].includes(raw)) return false;
  throw new Error(`${name} must be true or false, not "${raw}"`);
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is required`);
  return value;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): ReconcileSettings {
  const namespaces = required(env, 'JOBS_NAMESPACES')
    .split(',')
    .map((ns) => ns.trim())
    .filter(Boolean);
  if (namespaces.length === 0) throw new Error('JOBS_NAMESPACES names no namespace');
  const d = DEFAULT_RECONCILE_CONFIG;
  return {
    tableName: required(env, 'JOBS_TABLE_NAME'),
    eventBusName: required(env, 'EVENT_BUS_NAME'),
    namespaces,
    windowMs: number(env, 'RECONCILE_WINDOW_SECONDS', 50, 0, 840) * 1000,
    logTailLines: number(env, 'LOG_TAIL_LINES', 50, 0, 10_000),
    config: {
      pendingLimitSeconds: number(env, 'PENDING_LIMIT_SECONDS', d.pendingLimitSeconds, 1, 7 * 24 * 3600),
      failOnPending: flag(env, 'FAIL_ON_PENDING', d.failOnPending),
      retentionSeconds: number(env, 'RETENTION_DAYS', d.retentionSeconds / 86400, 0.001, 3650) * 86400,
      lostGraceSeconds: number(env, 'LOST_GRACE_SECONDS', d.lostGraceSeconds, 0, 3600),
      submittedGraceSeconds: number(
        env,
        'SUBMITTED_GRACE_SECONDS',
        d.submittedGraceSeconds,
        0,
        7 * 24 * 3600,
      ),
      limits: {
        ...DEFAULT_RESULT_LIMITS,
        logTailBytes: number(env, 'LOG_TAIL_BYTES', DEFAULT_RESULT_LIMITS.logTailBytes, 0, 64 * 1024),
      },
    },
  };
}
