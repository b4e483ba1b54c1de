import type { SQSRecordAttributes } from 'aws-lambda';
import { messageRefusal } from '../../shared/core/submit/authorize.ts';
import { type Parsed, parseBody } from '../../shared/core/submit/parse-request.ts';
import { REJECTION, rawBodyForRecord } from '../../shared/core/submit/records.ts';
import { JOB_ID, SpanKind, traced } from '../../shared/runtime/tracing.ts';
import { cancel } from './cancel.ts';
import type { BatchScope, MessageContext, Outcome, SubmitDeps } from './deps.ts';
import { recordRejection, recordUnauthorized } from './reject.ts';
import { submit } from './submit.ts';
import { suspendOrResume } from './suspend.ts';

/** What submit reads of an SQS record. SQS always sets SenderId; a record without one is refused unless `*` is mapped. */
export interface QueueMessage {
  messageId: string;
  body: string;
  attributes?: Partial<Pick<SQSRecordAttributes, 'SenderId'>>;
}

/**
 * One SQS message to its outcome. Invalid input becomes a REJECTED record and is consumed;
 * a transient fault throws (RetryLater or an AWS error), which the batch reports as an item
 * failure so that SQS redelivers it, and after maxReceiveCount moves it to the DLQ.
 */
export function processMessage(
  deps: SubmitDeps,
  message: QueueMessage,
  batch: { deadline: number; scope: BatchScope },
): Promise<Outcome> {
  const parsed = parseBody(message.body, message.messageId);
  const jobId = parsed.kind === 'invalid' ? parsed.key : parsed.request.jobId;
  const senderId = message.attributes?.SenderId;
  const log = deps.log.child({ jobId, messageId: message.messageId, action: parsed.kind, senderId });
  const ctx: MessageContext = { deps, log, messageId: message.messageId, senderId, ...batch };
  // One span per message, with its job id: the DynamoDB and Kubernetes calls it makes are children.
  const attributes = {
    [JOB_ID]: jobId,
    'messaging.system': 'aws_sqs',
    'messaging.message.id': message.messageId,
    'submit.action': parsed.kind,
  };
  return traced(
    'submit message',
    attributes,
    async (span) => {
      try {
        const outcome = await dispatch(ctx, parsed, message.body);
        span.setAttribute('submit.outcome', outcome);
        return outcome;
      } catch (error) {
        log.warn('message failed, left for redelivery', {
          error: error instanceof Error ? error.message : String(error),
          cause: error instanceof Error && error.cause ? String(error.cause) : undefined,
        });
        throw error;
      }
    },
    SpanKind.CONSUMER,
  );
}

function dispatch(ctx: MessageContext, parsed: Parsed, body: string): Promise<Outcome> {
  const refusal = messageRefusal(ctx.deps.policy.principals, ctx.senderId, parsed);
  if (refusal)
    return recordUnauthorized(ctx, {
      owner: claimedOwner(parsed),
      reasons: [refusal],
      hash: parsed.hash,
      request: parsed.kind === 'invalid' ? rawBodyForRecord(body) : parsed.request,
    });
  switch (parsed.kind) {
    case 'invalid':
      return recordRejection(ctx, {
        key: parsed.key,
        owner: parsed.owner,
        reason: REJECTION.invalid,
        reasons: parsed.reasons,
        hash: parsed.hash,
        request: rawBodyForRecord(body),
      });
    case 'cancel':
      return cancel(ctx, parsed);
    case 'suspend':
    case 'resume':
      return suspendOrResume(ctx, parsed);
    case 'submit':
      return submit(ctx, parsed);
  }
}

/** The owner a refused message's record is listed under (byOwner): the one it names. */
function claimedOwner(parsed: Parsed): string {
  if (parsed.kind === 'submit') return parsed.request.owner;
  return parsed.kind === 'invalid' ? parsed.owner : parsed.request.requestedBy;
}
