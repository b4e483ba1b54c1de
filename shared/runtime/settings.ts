/**
 * Readers of a function's settings from its environment (functions/<name>/config.ts). Each
 * names the variable in its error, so that a bad deployment fails at the cold start with the
 * reason instead of misbehaving later. Values are trimmed; an empty one is an absent one.
 */
type Env = NodeJS.ProcessEnv;

function raw(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function required(env: Env, name: string): string {
  const value = raw(env, name);
  if (!value) throw new Error(`${name} is required`);
  return value;
}

/** The value if set, else undefined. */
export function optional(env: Env, name: string): string | undefined {
  return raw(env, name);
}

/** A number from `min` to `max`, or `fallback` when unset. */
export function number(env: Env, name: string, fallback: number, min: number, max: number): number {
  return bounded(env, name, fallback, min, max, 'a number');
}

/** A whole number from `min` to `max`, or `fallback` when unset. */
export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  return bounded(env, name, fallback, min, max, 'an integer');
}

function bounded(
  env: Env,
  name: string,
  fallback: number,
  min: number,
  max: number,
  kind: 'a number' | 'an integer',
): number {
  const text = raw(env, name);
  if (text === undefined) return fallback;
  const value = Number(text);
  const whole = kind === 'a number' || Number.isInteger(value);
  if (!Number.isFinite(value) || !whole || value < min || value > max) {
    throw new Error(`${name} must be ${kind} from ${min} to ${max}, not "${text}"`);
  }
  return value;
}

/** true, 1, yes or false, 0, no (any case), or `fallback` when unset. */
export function flag(env: Env, name: string, fallback: boolean): boolean {
  const text = raw(env, name)?.toLowerCase();
  if (text === undefined) return fallback;
  if (['true', '1', 'yes'].includes(text)) return true;
  if (['false', '0', 'no'].includes(text)) return false;
  throw new Error(`${name} must be true or false, not "${text}"`);
}

/** A required comma-separated list, items trimmed, empty items dropped. */
export function list(env: Env, name: string): string[] {
  return required(env, name)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
