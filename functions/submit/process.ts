import type { StateChangeEvent } from '../../shared/core/job/events.ts';
import { type Parsed, parseBody } from '../../shared/core/submit/parse-request.ts';
import { REJECTION, rawBodyForRecord } from '../../shared/core/submit/records.ts';
import { cancel } from './cancel.ts';
import type { BatchScope, Log, Outcome, SubmitDeps } from './deps.ts';
import { publishTransitions } from './events.ts';
import { recordRejection } from './reject.ts';
import { submit } from './submit.ts';

export interface QueueMessage {
  messageId: string;
  body: string;
}

/**
 * One SQS message to its outcome. Invalid input becomes a REJECTED record and is consumed;
 * a transient fault throws (RetryLater or an AWS error), which the batch reports as an item
 * failure so that SQS redelivers it, and after maxReceiveCount moves it to the DLQ.
 * The REJECTED and CANCELLED transitions it writes are published at the end of its batch, or, for a
 * message processed alone, at its own end (even if it then failed: the write happened).
 */
export async function processMessage(
  deps: SubmitDeps,
  message: QueueMessage,
  deadline: number,
  scope?: BatchScope,
): Promise<Outcome> {
  const parsed = parseBody(message.body, message.messageId);
  const jobId = parsed.kind === 'invalid' ? parsed.key : parsed.request.jobId;
  const log = deps.log.child({ jobId, messageId: message.messageId, action: parsed.kind });
  const events = scope?.events ?? [];
  try {
    return await dispatch(deps, log, parsed, message, deadline, events, scope);
  } catch (error) {
    log.warn('message failed, left for redelivery', {
      error: error instanceof Error ? error.message : String(error),
      cause: error instanceof Error && error.cause ? String(error.cause) : undefined,
    });
    throw error;
  } finally {
    if (!scope) await publishTransitions(deps, log, events, deadline);
  }
}

function dispatch(
  deps: SubmitDeps,
  log: Log,
  parsed: Parsed,
  message: QueueMessage,
  deadline: number,
  events: StateChangeEvent[],
  scope?: BatchScope,
): Promise<Outcome> {
  switch (parsed.kind) {
    case 'invalid':
      return recordRejection(deps, log, {
        key: parsed.key,
        owner: parsed.owner,
        reason: REJECTION.invalid,
        reasons: parsed.reasons,
        hash: parsed.hash,
        request: rawBodyForRecord(message.body),
        messageId: message.messageId,
        events,
      });
    case 'cancel':
      return cancel(deps, log, parsed, message.messageId, deadline, events);
    case 'submit':
      return submit(deps, log, parsed, message.messageId, deadline, events, scope);
  }
}
