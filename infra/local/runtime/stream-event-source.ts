/**
 * The Lambda DynamoDB Streams event source mapping, emulated (moto has DynamoDB Streams, not the
 * mapping): read the stream's shards in order, invoke the function with a real DynamoDBStreamEvent
 * of up to `batchSize` records and, with ReportBatchItemFailures, resume from the first failed
 * record, or from the batch's first when the function threw, timed out or answered nonsense.
 * A StreamConsumer holds the lease (one consumer per stream) and the checkpoint, so a restarted
 * runtime resumes after the last record handled: at least once across crashes, as in Lambda.
 *
 * Differences from Lambda: failed batches are retried until they succeed (no maximum record age,
 * no failure destination, no bisecting); the stream's shards are read one after another, each to
 * its end (moto has one shard per table); binary attributes are not base64-encoded in the event.
 */
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { readBatchResponse } from './batch-response.ts';
import { type InvocationResult, invoke, type LambdaHandler } from './invoke.ts';
import { createLambdaContext, type FunctionSettings } from './lambda-context.ts';
import { pause } from './sqs-batch.ts';
import type { StreamConsumer } from './stream-consumer.ts';

export interface StreamEventSourceOptions {
  streams: DynamoDBStreamsClient;
  streamArn: string;
  handler: LambdaHandler<DynamoDBStreamEvent, unknown>;
  function: FunctionSettings;
  consumer: StreamConsumer;
  /** Records per invocation at most (Lambda: 1..10000; GetRecords returns at most 1000). */
  batchSize?: number;
  /** Pause between reads of a shard with nothing new (Lambda polls about four times a second). */
  pollMs?: number;
  signal: AbortSignal;
  onInvocation?: (report: StreamInvocationReport) => void;
  onError?: (error: unknown) => void;
  /** Told once while another process holds the lease. */
  onWaiting?: (holder: number) => void;
}

export interface StreamInvocationReport {
  functionName: string;
  requestId: string;
  records: number;
  /** Records to read again: from the first failed one to the batch's end. */
  retried: number;
  outcome: 'success' | 'partial' | 'error' | 'timeout' | 'invalid-response';
  durationMs: number;
  error?: string;
}

/** Resolves once stopped (options.signal) with its in-flight batch done and the lease released. */
export async function runStreamEventSource(options: StreamEventSourceOptions): Promise<void> {
  const { signal, consumer } = options;
  try {
    if (!(await acquire(options))) return;
    let backoffMs = 0;
    while (!signal.aborted) {
      try {
        await readShards(options);
        backoffMs = 0;
      } catch (error) {
        if (signal.aborted) break;
        options.onError?.(error);
        backoffMs = Math.min(16_000, Math.max(1_000, backoffMs * 2));
        await pause(backoffMs, signal);
      }
    }
  } finally {
    consumer.release();
  }
}

async function acquire(options: StreamEventSourceOptions): Promise<boolean> {
  let told = false;
  while (!options.signal.aborted) {
    const lease = options.consumer.tryAcquire();
    if (lease.held) return true;
    if (!told) options.onWaiting?.(lease.holder);
    told = true;
    await pause(1000, options.signal);
  }
  return false;
}

/** Reads every shard from its checkpoint; returns only when stopped (or throws). */
async function readShards(options: StreamEventSourceOptions): Promise<void> {
  const { streams, streamArn, signal } = options;
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shards = StreamDescription?.Shards ?? [];
  if (shards.length === 0) throw new Error(`the stream ${streamArn} has no shards`);
  // A parent shard before its children, as Lambda reads them; an open shard is read forever.
  for (const shard of shards) {
    if (signal.aborted) return;
    await readShard(
      options,
      shard.ShardId ?? '',
      shard.SequenceNumberRange?.EndingSequenceNumber === undefined,
    );
  }
}

async function readShard(options: StreamEventSourceOptions, shardId: string, open: boolean): Promise<void> {
  const { streams, streamArn, consumer, signal } = options;
  const batchSize = Math.min(options.batchSize ?? 100, 1000);
  let iterator = await iteratorAt(options, shardId, consumer.checkpoint(streamArn, shardId));
  let backoffMs = 0;
  while (!signal.aborted && iterator) {
    const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: batchSize }));
    const records = page.Records ?? [];
    if (records.length === 0) {
      if (!open && !page.NextShardIterator) return;
      iterator = page.NextShardIterator;
      await pause(options.pollMs ?? 250, signal);
      continue;
    }
    const failedFrom = await invokeBatch(options, records);
    if (failedFrom === undefined) {
      consumer.save(streamArn, shardId, records[records.length - 1]?.dynamodb?.SequenceNumber ?? '');
      iterator = page.NextShardIterator;
      backoffMs = 0;
      continue;
    }
    // Everything before the failed record is done; it and what follows are read again.
    const before = records[records.findIndex((r) => r.dynamodb?.SequenceNumber === failedFrom) - 1];
    if (before) consumer.save(streamArn, shardId, before.dynamodb?.SequenceNumber ?? '');
    backoffMs = Math.min(16_000, Math.max(500, backoffMs * 2));
    await pause(backoffMs, signal);
    iterator = await iteratorAt(options, shardId, failedFrom, 'AT_SEQUENCE_NUMBER');
  }
}

async function iteratorAt(
  options: StreamEventSourceOptions,
  shardId: string,
  sequenceNumber: string | undefined,
  type: 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' = 'AFTER_SEQUENCE_NUMBER',
): Promise<string | undefined> {
  const { ShardIterator } = await options.streams.send(
    new GetShardIteratorCommand({
      StreamArn: options.streamArn,
      ShardId: shardId,
      ...(sequenceNumber
        ? { ShardIteratorType: type, SequenceNumber: sequenceNumber }
        : { ShardIteratorType: 'TRIM_HORIZON' }),
    }),
  );
  return ShardIterator;
}

/** Invokes the function once; the sequence number to resume from, or undefined when all is done. */
async function invokeBatch(
  options: StreamEventSourceOptions,
  records: StreamRecord[],
): Promise<string | undefined> {
  const event: DynamoDBStreamEvent = { Records: records.map((r) => toLambdaRecord(r, options.streamArn)) };
  const sequenceNumbers = records.map((r) => r.dynamodb?.SequenceNumber ?? '');
  const context = createLambdaContext(options.function);
  const started = performance.now();
  const result = await invoke(options.handler, event, context).result;
  const verdict = judge(result, sequenceNumbers);
  const failedFrom = verdict.failedFrom;
  options.onInvocation?.({
    functionName: options.function.functionName,
    requestId: context.awsRequestId,
    records: records.length,
    retried: failedFrom === undefined ? 0 : records.length - sequenceNumbers.indexOf(failedFrom),
    outcome: verdict.outcome,
    durationMs: Math.round(performance.now() - started),
    ...(verdict.error !== undefined && { error: verdict.error }),
  });
  return failedFrom;
}

function judge(
  result: InvocationResult<unknown>,
  sequenceNumbers: string[],
): { outcome: StreamInvocationReport['outcome']; failedFrom?: string; error?: string } {
  const first = sequenceNumbers[0];
  switch (result.outcome) {
    case 'threw':
      return { outcome: 'error', failedFrom: first, error: describe(result.error) };
    case 'timed-out':
      return { outcome: 'timeout', failedFrom: first, error: 'the function timed out' };
    case 'returned': {
      const response = readBatchResponse(result.value, sequenceNumbers);
      if (response.kind === 'invalid')
        return { outcome: 'invalid-response', failedFrom: first, error: response.reason };
      // Lambda resumes from the lowest failed sequence number.
      const failedFrom = sequenceNumbers.find((n) => response.failedMessageIds.has(n));
      return failedFrom === undefined ? { outcome: 'success' } : { outcome: 'partial', failedFrom };
    }
  }
}

/** The record as Lambda delivers it: the stream's fields, the date in epoch seconds, the source ARN. */
function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const { ApproximateCreationDateTime: created, ...stream } = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: record.eventSource,
    awsRegion: record.awsRegion,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(stream as DynamoDBRecord['dynamodb']),
      ...(created && { ApproximateCreationDateTime: Math.floor(created.getTime() / 1000) }),
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
