import { SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type { Act, Ctx } from '../context.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { json, reasonLines } from '../output.ts';
import { prepareSubmit } from '../request.ts';
import { EXIT_CODE_HELP, follow, type WaitFlags, waitOptions } from './wait.ts';

interface SubmitFlags extends WaitFlags {
  jobId?: string;
  owner?: string;
  wait?: boolean;
}

export function registerSubmit(program: Command, act: Act): void {
  waitOptions(
    program
      .command('submit')
      .description(
        'check a job request against the request schema, send it to the jobs queue, print its jobId',
      )
      .argument('<file>', 'the request (docs/request.md) as JSON, or - for standard input')
      .option('--job-id <id>', "the jobId, over the file's (default: the file's, else a new UUID)")
      .option('--owner <owner>', "the owner, over the file's")
      .option('--wait', 'then follow the job as ejr wait does, and exit as it does'),
  )
    .addHelpText('after', EXIT_CODE_HELP)
    .action(act<SubmitFlags>((ctx, [file], flags) => submit(ctx, file as string, flags)));
}

async function submit(ctx: Ctx, file: string, flags: SubmitFlags): Promise<number> {
  const prepared = prepareSubmit(readRequest(ctx, file), flags, ctx.deps.newJobId);
  if (!prepared.ok)
    throw usageError(
      `${file === '-' ? 'the request' : file} is not a valid job request`,
      reasonLines(prepared.reasons),
    );
  // the table only to wait: a producer that may only send needs no read access
  const target = await ctx.connect<'queueUrl' | 'tableName'>(
    flags.wait ? ['queueUrl', 'tableName'] : ['queueUrl'],
  );
  const sent = await target.sqs.send(
    new SendMessageCommand({ QueueUrl: target.queueUrl, MessageBody: prepared.body }),
  );
  const { jobId } = prepared;
  const messageId = sent.MessageId;
  if (flags.wait) {
    if (ctx.globals.output !== 'json') ctx.io.out(`${jobId}\n`);
    return follow(ctx, target, jobId, flags, {
      // the record appears once the submit function takes the message, however long it queues
      missingGraceMs: Infinity,
      extra: { messageId },
    });
  }
  ctx.io.out(
    ctx.globals.output === 'json' ? json({ jobId, messageId, queueUrl: target.queueUrl }) : `${jobId}\n`,
  );
  return EXIT.ok;
}

function readRequest(ctx: Ctx, file: string): string {
  try {
    return ctx.io.readText(file);
  } catch (error) {
    throw usageError(`cannot read ${file === '-' ? 'standard input' : file}: ${(error as Error).message}`);
  }
}
