import { type Command, Option } from 'commander';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { secondsAtLeast } from '../args.ts';
import type { Act, Ctx } from '../context.ts';
import { CliError, EXIT, EXIT_CODES, exitCodeForState } from '../exit-codes.ts';
import { duration, json, progressLine } from '../output.ts';
import type { Target } from '../target.ts';
import { waitForJob } from '../wait.ts';

export interface WaitFlags {
  timeout?: number;
  interval: number;
  progress?: boolean;
}

/** How long `wait` lets a jobId go without a record before it says there is none. */
export const MISSING_GRACE_MS = 60_000;

export const EXIT_CODE_HELP = `\nExit codes:\n${EXIT_CODES.map((r) => `  ${String(r.code).padStart(2)}  ${r.when}`).join('\n')}\n`;

/** The options `wait` and `submit --wait` share. */
export function waitOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--timeout <seconds>', 'give up after this long (exit 15); default: never').argParser(
        secondsAtLeast(0),
      ),
    )
    .addOption(
      new Option('--interval <seconds>', 'time between reads of the record')
        .argParser(secondsAtLeast(0.1))
        .default(2),
    )
    .option('--progress', 'a progress line on stderr even when it is not a terminal')
    .option('--no-progress', 'no progress line, even on a terminal');
}

export function registerWait(program: Command, act: Act): void {
  waitOptions(
    program
      .command('wait')
      .description('poll a job until it ends; the exit code says how it ended')
      .argument('<jobId>'),
  )
    .addHelpText('after', EXIT_CODE_HELP)
    .action(
      act<WaitFlags>(async (ctx, [jobId], flags) => {
        const target = await ctx.connect(['tableName']);
        return follow(ctx, target, jobId as string, flags, { missingGraceMs: MISSING_GRACE_MS });
      }),
    );
}

/** Follows the job, prints how it ended, and returns the exit code for it. */
export async function follow(
  ctx: Ctx,
  target: Target<'tableName'>,
  jobId: string,
  flags: WaitFlags,
  { missingGraceMs, extra = {} }: { missingGraceMs: number; extra?: Record<string, unknown> },
): Promise<number> {
  const progress = progressReporter(ctx, flags.progress ?? ctx.io.errIsTTY);
  const timeoutMs = flags.timeout === undefined ? Infinity : flags.timeout * 1000;
  const outcome = await waitForJob(() => target.jobs.getJob(jobId), {
    timeoutMs,
    intervalMs: flags.interval * 1000,
    // a grace as long as the timeout is none: without a record by then, it is a timeout
    missingGraceMs: missingGraceMs < timeoutMs ? missingGraceMs : Infinity,
    onPoll: progress.poll(jobId),
    now: ctx.deps.now,
    sleep: ctx.deps.sleep,
  }).finally(progress.end);
  const record = outcome.kind === 'missing' ? undefined : outcome.record;
  const code =
    outcome.kind === 'done'
      ? (exitCodeForState(outcome.record.state) ?? EXIT.error)
      : outcome.kind === 'timeout'
        ? EXIT.waitTimeout
        : EXIT.notFound;
  if (ctx.globals.output === 'json') {
    ctx.io.out(
      json({ jobId, ...extra, outcome: outcome.kind, state: record?.state, exitCode: code, record }),
    );
    return code;
  }
  if (outcome.kind === 'done') ctx.io.out(`${endLine(outcome.record)}\n`);
  else if (outcome.kind === 'timeout')
    throw new CliError(
      `${jobId} is still ${record?.state ?? 'without a record (queued?)'} after ${duration(timeoutMs / 1000)} (--timeout)`,
      EXIT.waitTimeout,
    );
  else
    throw new CliError(
      `no record for ${jobId} in ${target.where} after ${duration(missingGraceMs / 1000)}: is the jobId right?`,
      EXIT.notFound,
    );
  return code;
}

/** `job-1: FAILED (BackoffLimitExceeded) after 42s: the message`. */
export function endLine(r: JobRecord): string {
  const took = r.result?.durationSeconds;
  return [
    `${r.jobId}: ${r.state}`,
    r.reason ? ` (${r.reason})` : '',
    took === undefined ? '' : ` after ${duration(took)}`,
    r.message ? `: ${r.message}` : '',
  ].join('');
}

/**
 * On a terminal, one line redrawn in place; elsewhere (--progress into a log) a line per change, so
 * that a CI log shows each state once.
 */
function progressReporter(ctx: Ctx, enabled: boolean) {
  let last = '';
  let drawn = false;
  return {
    poll:
      (jobId: string) =>
      (record: JobRecord | undefined, elapsedMs: number): void => {
        if (!enabled) return;
        const line = progressLine(jobId, record, elapsedMs);
        if (ctx.io.errIsTTY) {
          ctx.io.err(`\r\x1b[2K${line}`);
          drawn = true;
          return;
        }
        const key = `${record?.state}/${record?.pending?.reason ?? record?.reason ?? ''}`;
        if (key !== last) ctx.io.err(`${line}\n`);
        last = key;
      },
    end: (): void => {
      if (drawn) ctx.io.err('\r\x1b[2K');
    },
  };
}
