/**
 * The Lambda SQS event source mapping, emulated: pollers long-poll the queue, gather a batch
 * (batch size, batching window), invoke the function with a real SQSEvent and, with
 * ReportBatchItemFailures, delete what succeeded. Failed messages are left alone: they
 * become visible again after the visibility timeout, and the queue's redrive policy moves
 * them to the DLQ after maxReceiveCount receives (the queue does that, not the poller).
 *
 * Differences from Lambda, by necessity of running in one process:
 * - A handler that times out cannot be killed: its batch counts as failed at the deadline
 *   and its late result is ignored, while the poller goes on.
 * - Concurrent invocations share one module instance (one "container") of the bundle.
 * - Each receive waits at most `waitTimeSeconds` (1 s by default; Lambda's pollers wait 20),
 *   because a receive is never aborted: a long poll given up by the client still takes the next
 *   message on the server, which would come back only after its visibility timeout, counted as
 *   a receive. On stop, the receive in flight ends (within that wait) and whatever it brought is
 *   invoked and deleted like any batch (sqs-batch.ts).
 * - A message received twice while its batch is gathered (a visibility timeout shorter than the
 *   batching window) is in the batch once, with its newest receipt handle.
 * - The 6 MB payload limit of an invocation is not enforced.
 */

import { DeleteMessageBatchCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSEvent } from 'aws-lambda';
import { queueArn } from '../aws/queues.ts';
import { readBatchResponse } from './batch-response.ts';
import { type InvocationResult, invoke, type LambdaHandler } from './invoke.ts';
import { createLambdaContext, type FunctionSettings } from './lambda-context.ts';
import { type BatchSource, gatherBatch, pause } from './sqs-batch.ts';
import { parseQueueArn, type QueueIdentity, toSqsRecord } from './sqs-records.ts';

export interface SqsEventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  handler: LambdaHandler<SQSEvent, unknown>;
  functionName: string;
  /** The function's timeout; Lambda's default is 3 s. */
  functionTimeoutSeconds?: number;
  /** Records per invocation at most, 1..10000 (above 10 needs a batching window, as in Lambda). */
  batchSize?: number;
  /** How long to keep gathering after a batch's first message, 0..300 s. */
  maximumBatchingWindowSeconds?: number;
  /** Sent with each ReceiveMessage when set; otherwise the queue's own visibility timeout applies. */
  visibilityTimeoutSeconds?: number;
  /** Parallel pollers, each with at most one invocation in flight (Lambda's maximum concurrency). */
  concurrency?: number;
  /**
   * WaitTimeSeconds of each ReceiveMessage, 1..20 s (default 1; Lambda uses 20). No receive is
   * abandoned, so this is also the longest a stop waits for an idle poller.
   */
  waitTimeSeconds?: number;
  /**
   * Stops the pollers: the receives in flight end, and in-flight batches (gathered ones among
   * them) are finished (invoked, then deleted) first.
   */
  signal: AbortSignal;
  onInvocation?: (report: SqsInvocationReport) => void;
  onError?: (error: unknown) => void;
}

export interface SqsInvocationReport {
  functionName: string;
  requestId: string;
  records: number;
  /** Records left on the queue for a retry: the reported ones, or all when the batch failed. */
  failures: number;
  deleted: number;
  outcome: 'success' | 'partial' | 'error' | 'timeout' | 'invalid-response';
  durationMs: number;
  error?: string;
}

interface EventSource extends BatchSource {
  options: SqsEventSourceOptions;
  queue: QueueIdentity;
  function: FunctionSettings;
}

/** Resolves once stopped (options.signal) and every in-flight batch is done. */
export async function runSqsEventSource(options: SqsEventSourceOptions): Promise<void> {
  const batchSize = options.batchSize ?? 10;
  const windowSeconds = options.maximumBatchingWindowSeconds ?? 0;
  const concurrency = options.concurrency ?? 1;
  const waitTimeSeconds = options.waitTimeSeconds ?? 1;
  validate(batchSize, windowSeconds, concurrency, waitTimeSeconds);
  const arn = await queueArn(options.sqs, options.queueUrl);
  const { region, accountId } = parseQueueArn(arn);
  const source: EventSource = {
    options,
    batchSize,
    windowMs: windowSeconds * 1000,
    waitTimeSeconds,
    queue: { arn, region },
    function: {
      functionName: options.functionName,
      timeoutSeconds: options.functionTimeoutSeconds ?? 3,
      region,
      accountId,
    },
  };
  await Promise.all(Array.from({ length: concurrency }, () => poll(source)));
}

function validate(batchSize: number, windowSeconds: number, concurrency: number, waitSeconds: number): void {
  const check = (ok: boolean, message: string) => {
    if (!ok) throw new RangeError(message);
  };
  check(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= 10_000, 'batchSize must be 1..10000');
  check(windowSeconds >= 0 && windowSeconds <= 300, 'maximumBatchingWindowSeconds must be 0..300');
  check(batchSize <= 10 || windowSeconds > 0, 'a batchSize above 10 needs a batching window, as in Lambda');
  check(Number.isInteger(concurrency) && concurrency >= 1, 'concurrency must be a positive integer');
  check(
    // 0 (short polls only) would spin an idle poller.
    Number.isInteger(waitSeconds) && waitSeconds >= 1 && waitSeconds <= 20,
    'waitTimeSeconds must be 1..20',
  );
}

async function poll(source: EventSource): Promise<void> {
  const { signal } = source.options;
  let backoffMs = 0;
  while (!signal.aborted) {
    try {
      const batch = await gatherBatch(source);
      backoffMs = 0;
      if (batch.length > 0) await processBatch(source, batch);
    } catch (error) {
      if (signal.aborted) break;
      source.options.onError?.(error);
      // An unreachable queue is retried, more slowly each time (1 s doubling to 16 s).
      backoffMs = Math.min(16_000, Math.max(1_000, backoffMs * 2));
      await pause(backoffMs, signal);
    }
  }
}

async function processBatch(source: EventSource, messages: Message[]): Promise<void> {
  const records = messages.map((message) => toSqsRecord(message, source.queue));
  const context = createLambdaContext(source.function);
  const started = performance.now();
  const result = await invoke(source.options.handler, { Records: records } satisfies SQSEvent, context)
    .result;
  const verdict = judge(
    result,
    records.map((r) => r.messageId),
  );
  const { failed } = verdict;
  const succeeded = failed === 'all' ? [] : messages.filter((m) => !failed.has(m.MessageId ?? ''));
  const deleted = await deleteMessages(source, succeeded);
  source.options.onInvocation?.({
    functionName: source.function.functionName,
    requestId: context.awsRequestId,
    records: records.length,
    failures: failed === 'all' ? records.length : failed.size,
    deleted,
    outcome: verdict.outcome,
    durationMs: Math.round(performance.now() - started),
    ...(verdict.error !== undefined && { error: verdict.error }),
  });
}

interface Verdict {
  outcome: SqsInvocationReport['outcome'];
  failed: ReadonlySet<string> | 'all';
  error?: string;
}

/** A thrown error, a timeout or an unreadable response fail the whole batch, as in Lambda. */
function judge(result: InvocationResult<unknown>, messageIds: string[]): Verdict {
  switch (result.outcome) {
    case 'threw':
      return { outcome: 'error', failed: 'all', error: describe(result.error) };
    case 'timed-out':
      return { outcome: 'timeout', failed: 'all', error: 'the function timed out' };
    case 'returned': {
      const response = readBatchResponse(result.value, messageIds);
      if (response.kind === 'invalid')
        return { outcome: 'invalid-response', failed: 'all', error: response.reason };
      const failed = response.failedMessageIds;
      return { outcome: failed.size === 0 ? 'success' : 'partial', failed };
    }
  }
}

/** DeleteMessageBatch takes 10 entries a call; returns how many were deleted. */
async function deleteMessages(source: EventSource, messages: Message[]): Promise<number> {
  let deleted = 0;
  for (let start = 0; start < messages.length; start += 10) {
    const chunk = messages.slice(start, start + 10);
    const { Successful = [], Failed = [] } = await source.options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: source.options.queueUrl,
        Entries: chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
    deleted += Successful.length;
    for (const failure of Failed) {
      const message = chunk[Number(failure.Id)];
      source.options.onError?.(
        new Error(`could not delete ${message?.MessageId}: ${failure.Code} ${failure.Message}`),
      );
    }
  }
  return deleted;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
