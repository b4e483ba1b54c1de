/**
 * How the Lambda SQS event source gathers a batch (sqs-event-source.ts): a long poll for the
 * batch's first message, then more receives until the batch is full or the batching window
 * has passed.
 *
 * No receive is ever abandoned: an aborted long poll is not withdrawn on the server (SQS,
 * ElasticMQ and moto alike), which still hands it the next message; that message is then
 * invisible for a whole visibility timeout and comes back with its receive count one higher,
 * nearer the DLQ. So each receive waits at most `waitTimeSeconds`, and on stop the receive in
 * flight is waited for and what it brought is invoked (and deleted) like any batch.
 */

import { setTimeout as delay } from 'node:timers/promises';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SqsEventSourceOptions } from './sqs-event-source.ts';

/** Kept free at a long poll's end for its answer to arrive, so that it ends inside the window. */
export const ANSWER_ALLOWANCE_MS = 250;

/** What gathering needs of an event source: its options and the settings it validated. */
export interface BatchSource {
  options: Pick<
    SqsEventSourceOptions,
    'sqs' | 'queueUrl' | 'visibilityTimeoutSeconds' | 'signal' | 'onError'
  >;
  batchSize: number;
  windowMs: number;
  /** WaitTimeSeconds of every receive, 1..20: also the longest a stop waits for an idle poller. */
  waitTimeSeconds: number;
}

/**
 * The first receive waits (long poll) for the batch's first message; from then on the poller
 * keeps receiving until the batch is full or the batching window has passed.
 *
 * Every receive ends within the window: WaitTimeSeconds is whole seconds, so the long polls
 * cover the window's whole seconds (each with room for its answer to come back), its last
 * fraction gets one short poll at its start, and the rest of it is waited out without a receive.
 * A receive at the window's very end would, with a visibility timeout as long as the window,
 * meet the batch's first messages coming back (received again, their receive count one higher).
 *
 * A message received again while the batch is gathered (its visibility timeout was shorter than
 * the window) is in the batch once, as last received: that receipt handle is the one that
 * deletes it (SQS ignores an older one, ElasticMQ refuses it).
 */
export async function gatherBatch(source: BatchSource): Promise<Message[]> {
  const { signal } = source.options;
  const batch = new Map<string, Message>();
  const add = (messages: Message[]) => {
    for (const message of messages) batch.set(message.MessageId ?? '', message);
  };
  add(await receive(source, source.batchSize, source.waitTimeSeconds));
  if (batch.size === 0) return [];
  const windowEnd = Date.now() + source.windowMs;
  try {
    while (batch.size < source.batchSize && !signal.aborted) {
      const remainingMs = windowEnd - Date.now();
      if (remainingMs <= 0) break;
      const waitSeconds = Math.min(
        source.waitTimeSeconds,
        Math.floor((remainingMs - ANSWER_ALLOWANCE_MS) / 1000),
      );
      add(await receive(source, source.batchSize - batch.size, Math.max(0, waitSeconds)));
      if (waitSeconds <= 0) {
        if (batch.size < source.batchSize) await pause(windowEnd - Date.now(), signal);
        break;
      }
    }
  } catch (error) {
    // The messages in hand are invisible to everyone else now: invoke with them rather than drop them.
    source.options.onError?.(error);
  }
  return [...batch.values()];
}

async function receive(source: BatchSource, wanted: number, waitSeconds: number): Promise<Message[]> {
  const { sqs, queueUrl, visibilityTimeoutSeconds } = source.options;
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: Math.min(10, wanted),
      WaitTimeSeconds: waitSeconds,
      VisibilityTimeout: visibilityTimeoutSeconds,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages;
}

/** Waits, or less if the signal aborts first; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return delay(ms, undefined, { signal }).catch(() => {});
}
