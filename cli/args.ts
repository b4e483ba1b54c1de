// Parsers of option values, for commander: a bad value is a usage error (exit 2) naming the option.
import { InvalidArgumentError } from 'commander';
import { JOB_STATES, type JobState } from '../shared/core/job/state.ts';

export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`an integer from ${min} to ${max}`);
    return n;
  };
}

/** Seconds, fractions allowed (`0.5`); at least `min`. */
export function secondsAtLeast(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min)
      throw new InvalidArgumentError(`a number of seconds >= ${min}`);
    return n;
  };
}

/** A state name, in any case: `failed` is `FAILED`. */
export function jobState(value: string): JobState {
  const state = value.trim().toUpperCase().replace(/-/g, '_');
  if (!(JOB_STATES as readonly string[]).includes(state))
    throw new InvalidArgumentError(`one of ${JOB_STATES.join(', ')}`);
  return state as JobState;
}
