// The dead-letter queue: requests that failed every delivery (docs/deploy.md, DeadLetterQueueNotEmpty).
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { type Command, Option } from 'commander';
import { integerIn } from '../args.ts';
import type { Act } from '../context.ts';
import { EXIT } from '../exit-codes.ts';
import { dlqTable, json, type PeekedMessage } from '../output.ts';
import type { SqsSender } from '../target.ts';

/** How long a peeked message is hidden if ejr dies before making it visible again. */
export const PEEK_VISIBILITY_SECONDS = 30;
/** How long a message being copied back is hidden: a failed send leaves it in the DLQ after this. */
const COPY_VISIBILITY_SECONDS = 60;

export const REDRIVE_METHODS = ['auto', 'move-task', 'copy'] as const;
type RedriveMethod = (typeof REDRIVE_METHODS)[number];

export function registerDlq(program: Command, act: Act): void {
  const dlq = program.command('dlq').description('the dead-letter queue: look at it, send it back');
  dlq
    .command('list')
    .description('peek at the messages on the DLQ (received, then made visible again at once)')
    .addOption(
      new Option('--limit <n>', 'at most this many messages').argParser(integerIn(1, 1000)).default(10),
    )
    .addHelpText(
      'after',
      `\nA peek is a receive: each message's receive count goes up by one, and a message stays hidden\n` +
        `for up to ${PEEK_VISIBILITY_SECONDS} s should ejr be killed before it makes them visible again.\n`,
    )
    .action(
      act<{ limit: number }>(async (ctx, _args, flags) => {
        const target = await ctx.connect(['dlqUrl']);
        const approximate = await depth(target.sqs, target.dlqUrl);
        const messages = await peek(target.sqs, target.dlqUrl, flags.limit);
        if (ctx.globals.output === 'json') ctx.io.out(json({ approximateCount: approximate, messages }));
        else {
          ctx.io.out(dlqTable(messages));
          ctx.io.err(
            `${approximate} message(s) on ${target.dlqUrl} (approximately); ${messages.length} shown\n`,
          );
        }
        return EXIT.ok;
      }),
    );
  dlq
    .command('redrive')
    .description('move the DLQ messages back to the jobs queue')
    .addOption(
      new Option('--method <method>', 'auto: StartMessageMoveTask, else receive+send+delete')
        .choices(REDRIVE_METHODS)
        .default('auto'),
    )
    .addOption(
      new Option('--max <n>', 'copy: at most this many messages')
        .argParser(integerIn(1, 100_000))
        .default(1000),
    )
    .addHelpText(
      'after',
      '\nStartMessageMoveTask keeps each message as it was and runs in the background. The copy\n' +
        'fallback (for endpoints without it, such as moto) sends each message anew, as YOU: the\n' +
        'submit function then authorizes your identity, not the original sender (docs/ownership.md).\n',
    )
    .action(
      act<{ method: RedriveMethod; max: number }>(async (ctx, _args, flags) => {
        const target = await ctx.connect(['dlqUrl', 'queueUrl']);
        const result = await redrive(target.sqs, target.dlqUrl, target.queueUrl, flags.method, flags.max);
        if (ctx.globals.output === 'json') ctx.io.out(json(result));
        else ctx.io.out(`${redriveLine(result)}\n`);
        return EXIT.ok;
      }),
    );
}

export type RedriveResult =
  | { method: 'move-task'; taskHandle?: string; approximateCount: number }
  | { method: 'copy'; moved: number; failed: number; reason?: string };

export function redriveLine(r: RedriveResult): string {
  if (r.method === 'move-task')
    return `started a message move task (StartMessageMoveTask) for about ${r.approximateCount} message(s): task ${r.taskHandle ?? '?'}; SQS moves them in the background`;
  return (
    `moved ${r.moved} message(s) by receive+send+delete` +
    (r.failed ? `, ${r.failed} failed to send (left on the DLQ)` : '') +
    (r.reason ? ` (${r.reason})` : '')
  );
}

/**
 * An endpoint without StartMessageMoveTask, as opposed to one that refused it: an "unknown action"
 * error, a 501, or (moto 5) a 500 whose body is an HTML error page, not an SQS answer.
 */
export function isUnsupported(error: unknown): boolean {
  const { name = '', $metadata } = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = $metadata?.httpStatusCode ?? 0;
  return (
    /UnsupportedOperation|InvalidAction|UnknownOperation|NotImplemented/.test(name) ||
    status === 501 ||
    (name === 'SyntaxError' && status >= 500)
  );
}

/** What a DLQ message is, from its body (a job request, when it parses as one). */
export function peeked(message: Message): PeekedMessage {
  const body = message.Body ?? '';
  let request: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      request = parsed as Record<string, unknown>;
  } catch {
    // not JSON: shown by its size only
  }
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const sent = Number(message.Attributes?.SentTimestamp);
  const receives = Number(message.Attributes?.ApproximateReceiveCount);
  return {
    messageId: message.MessageId ?? '',
    sentAt: Number.isFinite(sent) && sent > 0 ? new Date(sent).toISOString() : undefined,
    receiveCount: Number.isFinite(receives) && receives > 0 ? receives : undefined,
    action: text(request.action) ?? (Object.keys(request).length > 0 ? 'submit' : undefined),
    jobId: text(request.jobId),
    owner: text(request.owner) ?? text(request.requestedBy),
    body,
  };
}

async function depth(sqs: SqsSender, queueUrl: string): Promise<number> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}

async function queueArn(sqs: SqsSender, queueUrl: string): Promise<string> {
  const out = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const arn = out.Attributes?.QueueArn;
  if (!arn) throw new Error(`no QueueArn for ${queueUrl}`);
  return arn;
}

/** Receives up to `limit` messages, then makes every one visible again, whatever happened. */
export async function peek(sqs: SqsSender, queueUrl: string, limit: number): Promise<PeekedMessage[]> {
  const seen = new Map<string, Message>();
  try {
    while (seen.size < limit) {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(10, limit - seen.size),
          VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        }),
      );
      const fresh = (out.Messages ?? []).filter((m) => m.MessageId && !seen.has(m.MessageId));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.MessageId as string, m);
    }
  } finally {
    await release(sqs, queueUrl, [...seen.values()]);
  }
  return [...seen.values()].map(peeked);
}

async function release(sqs: SqsSender, queueUrl: string, messages: Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.slice(i, i + 10).map((m, n) => ({
          Id: String(n),
          ReceiptHandle: m.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
}

export async function redrive(
  sqs: SqsSender,
  dlqUrl: string,
  queueUrl: string,
  method: RedriveMethod,
  max: number,
): Promise<RedriveResult> {
  if (method !== 'copy') {
    try {
      const [source, destination] = await Promise.all([queueArn(sqs, dlqUrl), queueArn(sqs, queueUrl)]);
      const approximateCount = await depth(sqs, dlqUrl);
      const out = await sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: source, DestinationArn: destination }),
      );
      return { method: 'move-task', taskHandle: out.TaskHandle, approximateCount };
    } catch (error) {
      if (method === 'move-task' || !isUnsupported(error)) throw error;
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
      const reason = `the endpoint has no StartMessageMoveTask: ${(error as Error).name}, HTTP ${status ?? '?'}`;
      return { ...(await copyBack(sqs, dlqUrl, queueUrl, max)), reason };
    }
  }
  return copyBack(sqs, dlqUrl, queueUrl, max);
}

/** Receive, send to the queue, delete what was sent: a message is never lost, at worst sent twice. */
async function copyBack(
  sqs: SqsSender,
  dlqUrl: string,
  queueUrl: string,
  max: number,
): Promise<RedriveResult & { method: 'copy' }> {
  let moved = 0;
  let failed = 0;
  while (moved < max) {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - moved),
        VisibilityTimeout: COPY_VISIBILITY_SECONDS,
        WaitTimeSeconds: 1,
        MessageAttributeNames: ['All'],
      }),
    );
    const messages = out.Messages ?? [];
    if (messages.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((m, i) => ({
          Id: String(i),
          MessageBody: m.Body ?? '',
          MessageAttributes: m.MessageAttributes,
        })),
      }),
    );
    const ok = (sent.Successful ?? []).map((s) => messages[Number(s.Id)] as Message);
    failed += sent.Failed?.length ?? 0;
    if (ok.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: dlqUrl,
          Entries: ok.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    moved += ok.length;
    // nothing went through: stop rather than spin on the same messages
    if (ok.length === 0) break;
  }
  return { method: 'copy', moved, failed };
}
