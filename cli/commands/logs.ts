import type { Command } from 'commander';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import type { Act, Ctx } from '../context.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { followLogs } from '../follow.ts';
import { json, logTails } from '../output.ts';

interface LogsFlags {
  follow?: boolean;
  kubeconfig?: string;
}

export function registerLogs(program: Command, act: Act): void {
  program
    .command('logs')
    .description("print the log tails recorded with a job's result (result.pods[].logTail)")
    .argument('<jobId>')
    .option(
      '-f, --follow',
      "while the job runs, stream its pods' logs from the cluster (needs cluster access)",
    )
    .option(
      '--kubeconfig <file>',
      'for --follow (default: KUBECONFIG or ~/.kube/config; locally the admin one)',
    )
    .action(
      act<LogsFlags>(async (ctx, [jobId], flags) => {
        const target = await ctx.connect(['tableName']);
        const read = () => target.jobs.getJob(jobId as string);
        const record = await read();
        if (!record) throw new CliError(`no record for ${jobId} in ${target.where}`, EXIT.notFound);
        if (flags.follow && !isTerminal(record.state)) {
          if (ctx.globals.output === 'json') throw new CliError('--follow streams text: drop --output json');
          await followLogs(record, {
            kc: target.kubeConfig(flags.kubeconfig),
            read,
            io: ctx.io,
            sleep: ctx.deps.sleep,
            intervalMs: 2000,
          });
          return EXIT.ok;
        }
        printRecorded(ctx, record);
        return EXIT.ok;
      }),
    );
}

function printRecorded(ctx: Ctx, record: JobRecord): void {
  const pods = record.result?.pods ?? [];
  if (ctx.globals.output === 'json') {
    ctx.io.out(
      json({
        jobId: record.jobId,
        state: record.state,
        pods: pods.map(({ podName, completionIndex, exitCode, reason, logTail }) => ({
          podName,
          completionIndex,
          exitCode,
          reason,
          logTail,
        })),
      }),
    );
    return;
  }
  const text = logTails(record);
  if (text) ctx.io.out(text);
  else
    ctx.io.err(
      isTerminal(record.state)
        ? `${record.jobId} is ${record.state} with no log recorded\n`
        : `${record.jobId} is ${record.state}: its log tails are recorded when it ends; --follow streams them now\n`,
    );
}
