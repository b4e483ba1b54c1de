import type { Command } from 'commander';
import type { Act } from '../context.ts';
import { CliError, EXIT } from '../exit-codes.ts';
import { jobSummary, json } from '../output.ts';

export function registerGet(program: Command, act: Act): void {
  program
    .command('get')
    .description("print a job's record: state, reasons, result, pods and history")
    .argument('<jobId>')
    .action(
      act(async (ctx, [jobId]) => {
        const target = await ctx.connect(['tableName']);
        const record = await target.jobs.getJob(jobId as string);
        if (!record) throw new CliError(`no record for ${jobId} in ${target.where}`, EXIT.notFound);
        ctx.io.out(ctx.globals.output === 'json' ? json(record) : jobSummary(record));
        return EXIT.ok;
      }),
    );
}
