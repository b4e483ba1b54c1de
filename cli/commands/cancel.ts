import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type { Act } from '../context.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { json, reasonLines } from '../output.ts';
import { prepareCancel } from '../request.ts';

interface CancelFlags {
  reason: string;
  requestedBy?: string;
}

export function registerCancel(program: Command, act: Act): void {
  program
    .command('cancel')
    .description('send a cancel request for a job (docs/request.md, "Cancel")')
    .argument('<jobId>')
    .requiredOption('--reason <text>', 'why; recorded in the job record')
    .option('--requested-by <who>', 'who cancels, as recorded (default: your AWS identity, its ARN)')
    .addHelpText(
      'after',
      '\nThe cancel is asynchronous: the record shows CANCELLED once the submit function applies it\n' +
        '(ejr wait JOB_ID follows it). Whether it may apply is decided by your SQS sender identity\n' +
        '(docs/ownership.md), not by --requested-by.\n',
    )
    .action(
      act<CancelFlags>(async (ctx, [jobId], flags) => {
        const target = await ctx.connect(['queueUrl']);
        const requestedBy = flags.requestedBy ?? (await target.whoami());
        const prepared = prepareCancel(jobId as string, requestedBy, flags.reason);
        if (!prepared.ok)
          throw usageError('not a valid cancel request', [
            ...reasonLines(prepared.reasons),
            ...(flags.requestedBy
              ? []
              : [`(requestedBy was your identity, ${requestedBy}: pass --requested-by)`]),
          ]);
        const sent = await target.sqs.send(
          new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: prepared.body }),
        );
        const summary = { jobId, requestedBy, reason: flags.reason, messageId: sent.MessageId };
        ctx.io.out(
          ctx.globals.output === 'json'
            ? json(summary)
            : `cancel of ${jobId} sent (requested by ${requestedBy})\n`,
        );
        return EXIT.ok;
      }),
    );
}
