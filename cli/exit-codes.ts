import type { JobState } from '../shared/core/job/state.ts';

/**
 * Every exit code of `ejr`, in one table: the code, its name in the code, and when it happens.
 * docs/cli.md lists the same rows (a unit test compares them), and `ejr wait --help` prints them.
 */
export const EXIT_CODES = [
  { code: 0, name: 'ok', when: 'done; for wait and submit --wait: the job SUCCEEDED' },
  { code: 1, name: 'error', when: 'an AWS, Kubernetes or network error, or anything unexpected' },
  { code: 2, name: 'usage', when: 'bad arguments, an unreadable file, or a request that fails validation' },
  { code: 3, name: 'notFound', when: 'no record for the jobId' },
  { code: 10, name: 'failed', when: 'the job ended FAILED' },
  { code: 11, name: 'timedOut', when: 'the job ended TIMED_OUT (its own timeoutSeconds)' },
  { code: 12, name: 'cancelled', when: 'the job ended CANCELLED' },
  { code: 13, name: 'rejected', when: 'the request was REJECTED (never reached Kubernetes)' },
  { code: 14, name: 'lost', when: 'the job ended LOST (its Job vanished before a terminal state)' },
  { code: 15, name: 'waitTimeout', when: 'wait --timeout passed while the job was still active' },
] as const;

type ExitName = (typeof EXIT_CODES)[number]['name'];

export const EXIT = Object.fromEntries(EXIT_CODES.map((row) => [row.name, row.code])) as {
  [N in ExitName]: Extract<(typeof EXIT_CODES)[number], { name: N }>['code'];
};

const BY_STATE: Partial<Record<JobState, number>> = {
  SUCCEEDED: EXIT.ok,
  FAILED: EXIT.failed,
  TIMED_OUT: EXIT.timedOut,
  CANCELLED: EXIT.cancelled,
  REJECTED: EXIT.rejected,
  LOST: EXIT.lost,
};

/** The exit code of a job that ended in `state`; undefined while it is active. */
export function exitCodeForState(state: JobState): number | undefined {
  return BY_STATE[state];
}

/** An error the user can act on: its message goes to stderr as it is, and it exits with `exitCode`. */
export class CliError extends Error {
  readonly exitCode: number;
  /** Further lines for stderr (the reasons of an invalid request). */
  readonly details: readonly string[];

  constructor(message: string, exitCode: number = EXIT.error, details: readonly string[] = []) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.details = details;
  }
}

export const usageError = (message: string, details: readonly string[] = []): CliError =>
  new CliError(message, EXIT.usage, details);
