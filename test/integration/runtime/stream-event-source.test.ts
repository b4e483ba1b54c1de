// The DynamoDB Streams event source emulation against moto's streams: order, partial failures,
// retries, the checkpoint across restarts and the one-consumer lease.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { localAwsConfig } from '../../../infra/local/aws/client-config.ts';
import { StreamConsumer } from '../../../infra/local/runtime/stream-consumer.ts';
import {
  runStreamEventSource,
  type StreamInvocationReport,
} from '../../../infra/local/runtime/stream-event-source.ts';
import { type MotoServer, motoForTests } from '../../support/moto.ts';
import { waitFor } from './harness.ts';

let moto: MotoServer;
let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let streamArn: string;
let dir: string;
const tableName = `stream-source-${process.pid}-${Date.now()}`;

before(async () => {
  moto = await motoForTests();
  const config = localAwsConfig(moto.endpoint, moto.region);
  dynamodb = new DynamoDBClient(config);
  streams = new DynamoDBStreamsClient(config);
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
  const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
  streamArn = Table?.LatestStreamArn ?? '';
  dir = mkdtempSync(join(tmpdir(), 'stream-source-'));
});

after(async () => {
  await dynamodb.send(new DeleteTableCommand({ TableName: tableName })).catch(() => {});
  rmSync(dir, { recursive: true, force: true });
  await moto.stop();
});

const put = async (...ids: string[]) => {
  for (const id of ids)
    await dynamodb.send(new PutItemCommand({ TableName: tableName, Item: { id: { S: id } } }));
};
const idsOf = (event: DynamoDBStreamEvent) => event.Records.map((r) => r.dynamodb?.NewImage?.id?.S ?? '');

/** A source on the test table, its handler answering with `answer` (default: all done). */
function source(
  consumer: StreamConsumer,
  answer: (event: DynamoDBStreamEvent) => DynamoDBBatchResponse | Promise<DynamoDBBatchResponse> = () => ({
    batchItemFailures: [],
  }),
) {
  const seen: string[][] = [];
  const reports: StreamInvocationReport[] = [];
  const waiting: number[] = [];
  const stop = new AbortController();
  const running = runStreamEventSource({
    streams,
    streamArn,
    consumer,
    handler: async (event) => {
      seen.push(idsOf(event));
      return answer(event);
    },
    function: { functionName: 'publish', timeoutSeconds: 5, region: moto.region, accountId: '123456789012' },
    batchSize: 3,
    pollMs: 50,
    signal: stop.signal,
    onInvocation: (report) => reports.push(report),
    onWaiting: (holder) => waiting.push(holder),
  });
  return {
    seen,
    reports,
    waiting,
    delivered: () => seen.flat(),
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}

const consumerIn = (name: string) =>
  new StreamConsumer({ leaseFile: join(dir, `${name}.pid`), checkpointFile: join(dir, `${name}.json`) });

describe('the DynamoDB Streams event source (moto)', () => {
  test('delivers every write in order, in batches; resumes from the first failed record', async () => {
    // all five are in the stream before the first read, so the batches are 3 + 2
    await put('a', 'b', 'c', 'd', 'e');
    const consumer = consumerIn('order');
    let failed = false;
    const s = source(consumer, (event) => {
      const c = event.Records.find((r) => r.dynamodb?.NewImage?.id?.S === 'c');
      if (c && !failed) {
        failed = true;
        return { batchItemFailures: [{ itemIdentifier: c.dynamodb?.SequenceNumber ?? '' }] };
      }
      return { batchItemFailures: [] };
    });
    await waitFor('all five', async () => (s.delivered().includes('e') ? true : undefined), {
      timeoutMs: 10_000,
    });
    await s.stop();
    // a, b, c in the first batch; c failed, so c (not a or b) comes again with what follows
    assert.deepEqual(s.seen, [
      ['a', 'b', 'c'],
      ['c', 'd', 'e'],
    ]);
    assert.deepEqual(
      s.reports.map((r) => [r.outcome, r.retried]),
      [
        ['partial', 1],
        ['success', 0],
      ],
    );
  });

  test('a handler that throws has its whole batch retried', async () => {
    const consumer = consumerIn('throws');
    let calls = 0;
    const s = source(consumer, () => {
      calls++;
      if (calls === 1) throw new Error('crashed mid-batch');
      return { batchItemFailures: [] };
    });
    await waitFor('two invocations', async () => (s.seen.length >= 3 ? true : undefined), {
      timeoutMs: 10_000,
    });
    await s.stop();
    assert.deepEqual(s.seen.slice(0, 2), [
      ['a', 'b', 'c'],
      ['a', 'b', 'c'],
    ]);
    assert.equal(s.reports[0]?.outcome, 'error');
  });

  test('a restarted consumer resumes after its checkpoint: nothing again, nothing missed', async () => {
    const consumer = consumerIn('restart');
    const first = source(consumer);
    await waitFor('the backlog', async () => (first.delivered().includes('e') ? true : undefined), {
      timeoutMs: 10_000,
    });
    await first.stop();
    await put('f', 'g');
    const second = source(consumer);
    await waitFor('the new writes', async () => (second.delivered().includes('g') ? true : undefined), {
      timeoutMs: 10_000,
    });
    await second.stop();
    assert.deepEqual(first.delivered(), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(second.delivered(), ['f', 'g']);
  });

  test('one consumer at a time: a second waits for the lease, then takes over where the first stopped', async () => {
    const consumer = consumerIn('lease');
    const first = source(consumer);
    await waitFor('the backlog', async () => (first.delivered().includes('g') ? true : undefined), {
      timeoutMs: 10_000,
    });
    const second = source(consumerIn('lease'));
    await waitFor('the second to wait', async () => (second.waiting.length > 0 ? true : undefined), {
      timeoutMs: 10_000,
    });
    assert.deepEqual(second.waiting, [process.pid], 'told once, with the holder');
    await first.stop();
    await put('h');
    await waitFor(
      'the second to take over',
      async () => (second.delivered().includes('h') ? true : undefined),
      { timeoutMs: 10_000 },
    );
    await second.stop();
    assert.deepEqual(second.delivered(), ['h']);
  });
});
