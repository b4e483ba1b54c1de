// The SQS event source emulation against the local SQS (ElasticMQ: the stack's, or one of its
// own), invoking a real esbuild bundle.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, beforeEach, describe, test } from 'node:test';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import type { LambdaHandler } from '../../../infra/local/runtime/invoke.ts';
import { loadBundle } from '../../../infra/local/runtime/load-bundle.ts';
import {
  runSqsEventSource,
  type SqsEventSourceOptions,
  type SqsInvocationReport,
} from '../../../infra/local/runtime/sqs-event-source.ts';
import { type SqsServer, sqsForTests } from '../../support/elasticmq.ts';
import type { RecordedInvocation } from './fixtures/recording-handler.ts';
import {
  attribute,
  buildFixtureBundle,
  createTestQueues,
  deleteCreatedResources,
  drainDeadLetters,
  fixtureControl,
  maxOverlap,
  messagesOnQueue,
  sendBodies,
  sqsClient,
  waitFor,
} from './harness.ts';

let server: SqsServer;
let sqs: SQSClient;
let bundleDir: string;
let handler: LambdaHandler<SQSEvent, unknown>;
const control = fixtureControl();

before(async () => {
  server = await sqsForTests();
  sqs = sqsClient(server);
  const bundle = await buildFixtureBundle();
  bundleDir = bundle.dir;
  handler = await loadBundle<SQSEvent>(bundle.file);
});

after(async () => {
  await deleteCreatedResources();
  sqs?.destroy();
  await server?.stop();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

beforeEach(() => {
  control.invocations.length = 0;
  control.slowMs = 0;
});

/** Starts the event source on a queue; stop() aborts it and waits for in-flight batches. */
function startSource(queueUrl: string, options: Partial<SqsEventSourceOptions> = {}) {
  const stopper = new AbortController();
  const reports: SqsInvocationReport[] = [];
  const errors: unknown[] = [];
  const running = runSqsEventSource({
    sqs,
    queueUrl,
    handler,
    functionName: 'recording',
    functionTimeoutSeconds: 10,
    batchSize: 10,
    maximumBatchingWindowSeconds: 0,
    concurrency: 1,
    signal: stopper.signal,
    onInvocation: (report) => reports.push(report),
    onError: (error) => errors.push(error),
    ...options,
  });
  return {
    reports,
    errors,
    stop: async () => {
      stopper.abort();
      await running;
    },
  };
}

const sqsEvents = (): { invocation: RecordedInvocation; event: SQSEvent }[] =>
  control.invocations.map((invocation) => ({ invocation, event: invocation.event as SQSEvent }));

/** Every record the handler saw, in order of invocation. */
const deliveries = (): SQSRecord[] => sqsEvents().flatMap(({ event }) => event.Records);
const deliveriesOf = (messageId: string) => deliveries().filter((r) => r.messageId === messageId);

describe('SQS event source', { timeout: 60_000 }, () => {
  test('delivers a message to the bundle as a well-formed SQSEvent and deletes it on success', async () => {
    const queues = await createTestQueues(sqs);
    const body = JSON.stringify({ onReceive: ['ok'] });
    const { MessageId } = await sqs.send(
      new SendMessageCommand({
        QueueUrl: queues.url,
        MessageBody: body,
        MessageAttributes: {
          kind: { DataType: 'String', StringValue: 'job' },
          blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
        },
      }),
    );
    const source = startSource(queues.url);
    try {
      await waitFor('the invocation', () => source.reports[0]);
      const [first] = sqsEvents();
      assert.ok(first);
      const { event, invocation } = first;
      assert.equal(event.Records.length, 1);
      const [record] = event.Records;
      assert.ok(record);
      assert.equal(record.messageId, MessageId);
      assert.equal(record.body, body);
      assert.equal(record.md5OfBody, createHash('md5').update(body).digest('hex'));
      assert.equal(record.eventSource, 'aws:sqs');
      assert.equal(record.eventSourceARN, queues.arn);
      assert.equal(record.awsRegion, server.region);
      assert.ok(record.receiptHandle.length > 0);
      assert.equal(record.attributes.ApproximateReceiveCount, '1');
      assert.match(record.attributes.SentTimestamp, /^\d{13}$/);
      assert.match(record.attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
      assert.ok(record.attributes.SenderId);
      assert.deepEqual(record.messageAttributes, {
        kind: { stringValue: 'job', stringListValues: [], binaryListValues: [], dataType: 'String' },
        blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      });
      assert.ok(record.md5OfMessageAttributes);

      const context: Partial<Context> & { remainingMs: number } = invocation.context;
      assert.equal(context.functionName, 'recording');
      assert.match(context.awsRequestId ?? '', /^[0-9a-f-]{36}$/);
      assert.match(context.invokedFunctionArn ?? '', /^arn:aws:lambda:us-east-1:\d{12}:function:recording$/);
      assert.ok(
        context.remainingMs > 9_000 && context.remainingMs <= 10_000,
        `remaining ${context.remainingMs}`,
      );

      assert.deepEqual(source.reports[0], {
        ...source.reports[0],
        records: 1,
        failures: 0,
        deleted: 1,
        outcome: 'success',
      });
      await waitFor('an empty queue', async () =>
        (await messagesOnQueue(sqs, queues.url)) === 0 ? true : undefined,
      );
    } finally {
      await source.stop();
    }
    assert.deepEqual(source.errors, []);
  });

  test('a reported item failure is redelivered after the visibility timeout and dead-lettered after maxReceiveCount', async () => {
    const queues = await createTestQueues(sqs, { visibilityTimeoutSeconds: 1, maxReceiveCount: 3 });
    const [okId, failId] = await sendBodies(sqs, queues.url, [
      { onReceive: ['ok'] },
      { onReceive: ['fail'] },
    ]);
    assert.ok(okId && failId);
    const source = startSource(queues.url, { maximumBatchingWindowSeconds: 1 });
    try {
      // The queue's redrive policy, enforced by SQS on receive, moves it after 3 receives.
      const dead = await drainDeadLetters(sqs, queues.dlqUrl, 1, 20_000);
      assert.deepEqual(
        dead.map((m) => m.MessageId),
        [failId],
      );
    } finally {
      await source.stop();
    }
    const first = source.reports[0];
    assert.deepEqual(first && { records: first.records, failures: first.failures, deleted: first.deleted }, {
      records: 2,
      failures: 1,
      deleted: 1,
    });
    assert.equal(first?.outcome, 'partial');
    assert.equal(deliveriesOf(okId).length, 1, 'the successful message was deleted, never redelivered');
    const failed = deliveriesOf(failId);
    assert.deepEqual(
      failed.map((r) => r.attributes.ApproximateReceiveCount),
      ['1', '2', '3'],
    );
    // Redelivered only once the visibility timeout (1 s) had passed: the runner left it alone.
    const startedAt = sqsEvents()
      .filter(({ event }) => event.Records.some((r) => r.messageId === failId))
      .map(({ invocation }) => invocation.startedAt);
    for (let i = 1; i < startedAt.length; i++) {
      const gap = (startedAt[i] ?? 0) - (startedAt[i - 1] ?? 0);
      assert.ok(gap >= 900, `redelivered after ${gap} ms`);
    }
    assert.equal(await messagesOnQueue(sqs, queues.url), 0);
  });

  test('a thrown error fails the whole batch: every message comes back', async () => {
    const queues = await createTestQueues(sqs, { visibilityTimeoutSeconds: 1 });
    const ids = await sendBodies(sqs, queues.url, [{ onReceive: ['ok'] }, { onReceive: ['throw', 'ok'] }]);
    const source = startSource(queues.url, { maximumBatchingWindowSeconds: 1 });
    try {
      await waitFor('both messages redelivered and consumed', async () =>
        ids.every((id) => deliveriesOf(id).length === 2) && (await messagesOnQueue(sqs, queues.url)) === 0
          ? true
          : undefined,
      );
    } finally {
      await source.stop();
    }
    assert.equal(source.reports[0]?.outcome, 'error');
    assert.equal(source.reports[0]?.deleted, 0);
    assert.equal(source.reports[0]?.failures, 2);
    assert.match(source.reports[0]?.error ?? '', /told to throw/);
    for (const id of ids) {
      assert.deepEqual(
        deliveriesOf(id).map((r) => r.attributes.ApproximateReceiveCount),
        ['1', '2'],
      );
    }
  });

  test('an itemIdentifier that is not in the batch fails the whole batch, as Lambda does', async () => {
    const queues = await createTestQueues(sqs, { visibilityTimeoutSeconds: 1 });
    const ids = await sendBodies(sqs, queues.url, [{ onReceive: ['ok'] }, { onReceive: ['bad-id', 'ok'] }]);
    const source = startSource(queues.url, { maximumBatchingWindowSeconds: 1 });
    try {
      await waitFor('both messages redelivered', () =>
        ids.every((id) => deliveriesOf(id).length === 2) ? true : undefined,
      );
    } finally {
      await source.stop();
    }
    assert.equal(source.reports[0]?.outcome, 'invalid-response');
    assert.equal(source.reports[0]?.deleted, 0);
  });

  test('a timed-out invocation fails the whole batch', async () => {
    const queues = await createTestQueues(sqs, { visibilityTimeoutSeconds: 2 });
    control.slowMs = 1_500;
    const [id] = await sendBodies(sqs, queues.url, [{ onReceive: ['slow', 'ok'] }]);
    const source = startSource(queues.url, { functionTimeoutSeconds: 1 });
    try {
      await waitFor('the redelivery', () => (deliveriesOf(id ?? '').length === 2 ? true : undefined));
      await waitFor('an empty queue', async () =>
        (await messagesOnQueue(sqs, queues.url)) === 0 ? true : undefined,
      );
    } finally {
      await source.stop();
    }
    assert.equal(source.reports[0]?.outcome, 'timeout');
    assert.equal(source.reports[0]?.deleted, 0);
    assert.ok(
      (source.reports[0]?.durationMs ?? 0) < 1_400,
      'failed at the deadline, not when the handler ended',
    );
  });

  test('honours the batch size, also above 10 (several receives per batch)', async () => {
    const small = await createTestQueues(sqs);
    await sendBodies(
      sqs,
      small.url,
      Array.from({ length: 5 }, () => ({ onReceive: ['ok'] })),
    );
    const smallSource = startSource(small.url, { batchSize: 2, maximumBatchingWindowSeconds: 1 });
    try {
      await waitFor('5 records', () => (deliveries().length === 5 ? true : undefined));
    } finally {
      await smallSource.stop();
    }
    assert.deepEqual(
      smallSource.reports.map((r) => r.records),
      [2, 2, 1],
    );

    control.invocations.length = 0;
    const large = await createTestQueues(sqs);
    await sendBodies(
      sqs,
      large.url,
      Array.from({ length: 15 }, () => ({ onReceive: ['ok'] })),
    );
    const largeSource = startSource(large.url, { batchSize: 12, maximumBatchingWindowSeconds: 1 });
    try {
      await waitFor('15 records', () => (deliveries().length === 15 ? true : undefined));
    } finally {
      await largeSource.stop();
    }
    assert.deepEqual(
      largeSource.reports.map((r) => r.records),
      [12, 3],
    );
    assert.equal(await messagesOnQueue(sqs, large.url), 0);
  });

  test('the batching window gathers a message sent after the first; without one they are separate', async () => {
    // A long window, ended early by a full batch (2): slack for a busy machine, no waiting.
    for (const [windowSeconds, expected] of [
      [10, [2]],
      [0, [1, 1]],
    ] as const) {
      control.invocations.length = 0;
      const queues = await createTestQueues(sqs, { visibilityTimeoutSeconds: 30 });
      const source = startSource(queues.url, { batchSize: 2, maximumBatchingWindowSeconds: windowSeconds });
      try {
        await sendBodies(sqs, queues.url, [{ onReceive: ['ok'] }]);
        // The second message goes out once the first is in the poller's hands: in flight
        // (gathering a batch) or, without a window, possibly already delivered.
        await waitFor('the first message received', async () =>
          deliveries().length > 0 ||
          (await attribute(sqs, queues.url, 'ApproximateNumberOfMessagesNotVisible')) === '1'
            ? true
            : undefined,
        );
        await sendBodies(sqs, queues.url, [{ onReceive: ['ok'] }]);
        await waitFor('2 records', () => (deliveries().length === 2 ? true : undefined));
      } finally {
        await source.stop();
      }
      assert.deepEqual(
        source.reports.map((r) => r.records),
        expected,
        `window ${windowSeconds} s`,
      );
    }
  });

  test('a lone message waits out the batching window, and no longer', async () => {
    const queues = await createTestQueues(sqs);
    await sendBodies(sqs, queues.url, [{ onReceive: ['ok'] }]);
    const source = startSource(queues.url, { maximumBatchingWindowSeconds: 2 });
    try {
      await waitFor('the invocation', () => source.reports[0]);
    } finally {
      await source.stop();
    }
    const [first] = sqsEvents();
    const received = Number(first?.event.Records[0]?.attributes.ApproximateFirstReceiveTimestamp);
    const waited = (first?.invocation.startedAt ?? 0) - received;
    assert.ok(waited >= 1_900 && waited < 3_000, `invoked ${waited} ms after the receive`);
  });

  test('concurrency sets how many invocations run in parallel', async () => {
    control.slowMs = 700;
    for (const concurrency of [1, 3]) {
      control.invocations.length = 0;
      const queues = await createTestQueues(sqs, { visibilityTimeoutSeconds: 30 });
      await sendBodies(
        sqs,
        queues.url,
        Array.from({ length: 3 }, () => ({ onReceive: ['slow'] })),
      );
      const source = startSource(queues.url, { batchSize: 1, concurrency });
      try {
        await waitFor('3 invocations ended', () =>
          sqsEvents().filter(({ invocation }) => invocation.endedAt).length === 3 ? true : undefined,
        );
      } finally {
        await source.stop();
      }
      assert.equal(maxOverlap(control.invocations), concurrency, `concurrency ${concurrency}`);
    }
  });

  test('stopping an idle poller abandons no receive: a message sent meanwhile is not taken away', async () => {
    const queues = await createTestQueues(sqs, { visibilityTimeoutSeconds: 30 });
    const counted = sqsClient(server);
    let receives = 0;
    counted.middlewareStack.add(
      (next, context) => (args) => {
        if (context.commandName === 'ReceiveMessageCommand') receives++;
        return next(args);
      },
      { step: 'initialize' },
    );
    const source = startSource(queues.url, { sqs: counted });
    try {
      await waitFor('a receive in flight', () => (receives > 0 ? true : undefined));
      const stopping = source.stop();
      await sendBodies(sqs, queues.url, [{ onReceive: ['ok'] }]);
      await stopping;
    } finally {
      counted.destroy();
    }
    // The receive in flight at the stop either brought the message (invoked and deleted) or
    // ended without it (visible): an aborted long poll would hold it invisible for 30 s.
    const visible = Number(await attribute(sqs, queues.url, 'ApproximateNumberOfMessages'));
    assert.equal(await attribute(sqs, queues.url, 'ApproximateNumberOfMessagesNotVisible'), '0');
    assert.equal(deliveries().length + visible, 1);
    assert.deepEqual(source.errors, []);
  });

  test('stopping finishes the in-flight batch, deleting it, before resolving', async () => {
    control.slowMs = 800;
    const queues = await createTestQueues(sqs, { visibilityTimeoutSeconds: 30 });
    await sendBodies(sqs, queues.url, [{ onReceive: ['slow'] }]);
    const source = startSource(queues.url);
    await waitFor('the invocation to start', () => (control.invocations.length === 1 ? true : undefined));
    await source.stop();
    assert.equal(source.reports.length, 1);
    assert.equal(source.reports[0]?.deleted, 1);
    assert.equal(await messagesOnQueue(sqs, queues.url), 0);
  });
});
