import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type { Act } from '../context.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { json, reasonLines } from '../output.ts';
import { prepareControl } from '../request.ts';

interface ControlFlags {
  reason?: string;
  requestedBy?: string;
}

type Action = 'cancel' | 'suspend' | 'resume';

const COMMANDS: { action: Action; description: string; reasonRequired: boolean; after: string }[] = [
  {
    action: 'cancel',
    description: 'send a cancel request for a job (docs/request.md, "Cancel")',
    reasonRequired: true,
    after: 'The record shows CANCELLED once the submit function applies it (ejr wait JOB_ID follows it).',
  },
  {
    action: 'suspend',
    description: 'suspend a job: its pods stop, it waits in QUEUED until resumed (docs/admission.md)',
    reasonRequired: false,
    after: 'The record shows QUEUED (Suspended) with who and why once the submit function applies it.',
  },
  {
    action: 'resume',
    description: 'resume a suspended job: it goes back through admission (docs/admission.md)',
    reasonRequired: false,
    after: 'The job runs again when its quota and its dependencies allow.',
  },
];

/** cancel, suspend and resume: one request each, sent to the jobs queue. */
export function registerCancel(program: Command, act: Act): void {
  for (const { action, description, reasonRequired, after } of COMMANDS) {
    const command = program.command(action).description(description).argument('<jobId>');
    if (reasonRequired) command.requiredOption('--reason <text>', 'why; recorded in the job record');
    else command.option('--reason <text>', 'why; recorded in the job record');
    command
      .option('--requested-by <who>', `who ${action}s, as recorded (default: your AWS identity, its ARN)`)
      .addHelpText(
        'after',
        `\nThe request is asynchronous. ${after}\nWhether it may apply is decided by your SQS sender identity\n(docs/ownership.md), not by --requested-by.\n`,
      )
      .action(
        act<ControlFlags>(async (ctx, [jobId], flags) => {
          const target = await ctx.connect(['queueUrl']);
          const requestedBy = flags.requestedBy ?? (await target.whoami());
          const prepared = prepareControl(action, jobId as string, requestedBy, flags.reason);
          if (!prepared.ok)
            throw usageError(`not a valid ${action} request`, [
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
              : `${action} of ${jobId} sent (requested by ${requestedBy})\n`,
          );
          return EXIT.ok;
        }),
      );
  }
}
