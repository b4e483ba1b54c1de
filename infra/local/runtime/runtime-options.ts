import { parseArgs } from 'node:util';
import { FUNCTIONS } from '../../../shared/resources.ts';
import { FUNCTIONS as FUNCTION_NAMES, type FunctionName } from '../../bundling.ts';

export interface RuntimeOptions {
  /** The functions this process runs (all by default; one each gives each its own process env). */
  functions: FunctionName[];
  batchSize: number;
  batchingWindowSeconds: number;
  /** Undefined: the queue's own visibility timeout applies, as with a Lambda event source. */
  visibilityTimeoutSeconds: number | undefined;
  concurrency: number;
  schedulePeriodSeconds: number;
  firstFiring: 'immediately' | 'after-one-period';
  submitTimeoutSeconds: number;
  reconcileTimeoutSeconds: number;
  reconcileWindowSeconds: number;
  /** Where the bundles are: dist/functions by default. */
  distDir: string | undefined;
}

const { flushSeconds } = FUNCTIONS.reconcile;

/** Each flag, its environment variable, and its default; a flag wins over the variable. */
const SETTINGS = {
  functions: { env: 'EJR_FUNCTIONS', default: FUNCTION_NAMES.join(',') },
  'batch-size': { env: 'EJR_BATCH_SIZE', default: '10' },
  'batching-window': { env: 'EJR_BATCHING_WINDOW_SECONDS', default: '1' },
  'visibility-timeout': { env: 'EJR_VISIBILITY_TIMEOUT_SECONDS', default: undefined },
  concurrency: { env: 'EJR_CONCURRENCY', default: '2' },
  // The timings CDK deploys (shared/resources.ts, FUNCTIONS).
  'schedule-period': {
    env: 'EJR_SCHEDULE_PERIOD_SECONDS',
    default: String(FUNCTIONS.reconcile.scheduleSeconds),
  },
  'first-firing': { env: 'EJR_FIRST_FIRING', default: 'immediately' },
  'submit-timeout': { env: 'EJR_SUBMIT_TIMEOUT_SECONDS', default: String(FUNCTIONS.submit.timeoutSeconds) },
  // Default: the window plus the flush seconds the CDK stack gives reconcile, as there.
  'reconcile-timeout': { env: 'EJR_RECONCILE_TIMEOUT_SECONDS', default: undefined },
  'reconcile-window': {
    env: 'EJR_RECONCILE_WINDOW_SECONDS',
    default: String(FUNCTIONS.reconcile.windowSeconds),
  },
  dist: { env: 'EJR_DIST_DIR', default: undefined },
} as const;

type Setting = keyof typeof SETTINGS;

const DERIVED: Record<string, string> = {
  'visibility-timeout': "the queue's own",
  'reconcile-timeout': `reconcile window + ${flushSeconds}`,
  dist: 'dist/functions',
};

export const USAGE = `usage: node infra/local/runtime/main.ts [--flag value ...]
${Object.entries(SETTINGS)
  .map(([flag, s]) => `  --${flag.padEnd(20)} env ${s.env.padEnd(32)} default ${s.default ?? DERIVED[flag]}`)
  .join('\n')}`;

export function readRuntimeOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): RuntimeOptions {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(Object.keys(SETTINGS).map((flag) => [flag, { type: 'string' as const }])),
    strict: true,
  });
  const raw = (flag: Setting): string | undefined =>
    (values[flag] as string | undefined) ?? env[SETTINGS[flag].env] ?? SETTINGS[flag].default;
  const number = (flag: Setting, { integer = false, min = 0 } = {}): number => {
    const value = Number(raw(flag));
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
      throw new RangeError(
        `--${flag} (${SETTINGS[flag].env}) must be ${integer ? 'an integer' : 'a number'} >= ${min}`,
      );
    }
    return value;
  };
  const firstFiring = raw('first-firing');
  if (firstFiring !== 'immediately' && firstFiring !== 'after-one-period') {
    throw new RangeError('--first-firing must be immediately or after-one-period');
  }
  const functions = (raw('functions') ?? '').split(',').map((name) => name.trim());
  const unknown = functions.filter((name) => !(FUNCTION_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0 || functions.length === 0)
    throw new RangeError(
      `--functions takes a list of ${FUNCTION_NAMES.join(', ')}; not ${unknown.join(', ')}`,
    );
  const options: RuntimeOptions = {
    functions: functions as FunctionName[],
    batchSize: number('batch-size', { integer: true, min: 1 }),
    batchingWindowSeconds: number('batching-window'),
    visibilityTimeoutSeconds:
      raw('visibility-timeout') === undefined ? undefined : number('visibility-timeout'),
    concurrency: number('concurrency', { integer: true, min: 1 }),
    schedulePeriodSeconds: number('schedule-period', { min: 1 }),
    firstFiring,
    submitTimeoutSeconds: number('submit-timeout', { min: 1 }),
    reconcileWindowSeconds: number('reconcile-window', { min: 1 }),
    reconcileTimeoutSeconds:
      raw('reconcile-timeout') === undefined
        ? number('reconcile-window', { min: 1 }) + flushSeconds
        : number('reconcile-timeout', { min: 1 }),
    distDir: raw('dist'),
  };
  if (options.reconcileWindowSeconds >= options.reconcileTimeoutSeconds) {
    throw new RangeError(
      '--reconcile-window must be shorter than --reconcile-timeout: the function must end in time',
    );
  }
  return options;
}
