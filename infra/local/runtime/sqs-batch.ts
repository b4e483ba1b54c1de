/**
 * How the Lambda SQS event source gathers a batch (sqs-event-source.ts): a long poll for the
 * batch's first message, then more receives until the batch is full or the batching window
 * has passed.
 */

import { setTimeout as delay } from 'node:timers/promises';
import { type Message, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import type { SqsEventSourceOptions } from './sqs-event-source.ts';

/** What gathering needs of an event source: its options and the settings it validated. */
export interface BatchSource {
  options: Pick<
    SqsEventSourceOptions,
    'sqs' | 'queueUrl' | 'visibilityTimeoutSeconds' | 'signal' | 'onError'
  >;
  batchSize: number;
  windowMs: number;
  waitTimeSeconds: number;
}

/**
 * The first receive waits (long poll) for the batch's first message; from then on the
 * poller keeps receiving until the batch is full or the batching window has passed.
 * WaitTimeSeconds is whole seconds, so the window's last fraction of a second is waited
 * out here and ended with a short poll: the window is kept, not rounded up.
 */
export async function gatherBatch(source: BatchSource): Promise<Message[]> {
  const { signal } = source.options;
  const batch = await receive(source, source.batchSize, source.waitTimeSeconds, signal);
  if (batch.length === 0) return batch;
  const windowEnd = Date.now() + source.windowMs;
  try {
    while (batch.length < source.batchSize && !signal.aborted) {
      const remainingMs = windowEnd - Date.now();
      if (remainingMs <= 0) break;
      const wanted = source.batchSize - batch.length;
      if (remainingMs >= 1000) {
        batch.push(...(await receive(source, wanted, Math.min(20, Math.floor(remainingMs / 1000)))));
      } else {
        await pause(remainingMs, signal);
        batch.push(...(await receive(source, wanted, 0)));
        break;
      }
    }
  } catch (error) {
    // The messages in hand are invisible to everyone else now: invoke with them rather than drop them.
    source.options.onError?.(error);
  }
  return batch;
}

async function receive(source: BatchSource, wanted: number, waitSeconds: number, abort?: AbortSignal) {
  const { sqs, queueUrl, visibilityTimeoutSeconds } = source.options;
  try {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, wanted),
        WaitTimeSeconds: waitSeconds,
        VisibilityTimeout: visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
      { abortSignal: abort },
    );
    return Messages;
  } catch (error) {
    if (abort?.aborted) return [];
    throw error;
  }
}

/** Waits, or less if the signal aborts first; never rejects. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return delay(ms, undefined, { signal }).catch(() => {});
}
