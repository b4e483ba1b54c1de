// How the local SQS event source gathers a batch (infra/local/runtime/sqs-batch.ts), against a
// scripted queue: what it receives, when, and that no receive is ever abandoned.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type BatchSource, gatherBatch } from '../../../infra/local/runtime/sqs-batch.ts';
import { runSqsEventSource } from '../../../infra/local/runtime/sqs-event-source.ts';

interface Receive {
  at: number;
  wait: number | undefined;
  max: number | undefined;
  /** Whether the call could be aborted: it never may be. */
  abortable: boolean;
}

/** A queue answering each ReceiveMessage with the next scripted list (then nothing). */
function scriptedQueue(script: Message[][]) {
  const receives: Receive[] = [];
  const sqs = {
    send: async (command: ReceiveMessageCommand, options?: { abortSignal?: unknown }) => {
      const { WaitTimeSeconds, MaxNumberOfMessages } = command.input;
      receives.push({
        at: performance.now(),
        wait: WaitTimeSeconds,
        max: MaxNumberOfMessages,
        abortable: options?.abortSignal !== undefined,
      });
      return { Messages: script.shift() ?? [] };
    },
  } as unknown as SQSClient;
  return { sqs, receives };
}

const message = (id: string, handle = `${id}-1`): Message => ({
  MessageId: id,
  ReceiptHandle: handle,
  Body: '{}',
});

function source(sqs: SQSClient, settings: Partial<BatchSource> = {}, signal = new AbortController().signal) {
  return {
    options: { sqs, queueUrl: 'http://127.0.0.1:1/123456789012/q', signal },
    batchSize: 10,
    windowMs: 0,
    waitTimeSeconds: 1,
    ...settings,
  } satisfies BatchSource;
}

describe('gathering a batch', () => {
  test('no window: one receive, as many as the batch takes, for WaitTimeSeconds', async () => {
    const queue = scriptedQueue([[message('a'), message('b')]]);
    const batch = await gatherBatch(source(queue.sqs, { batchSize: 4, waitTimeSeconds: 3 }));
    assert.deepEqual(
      batch.map((m) => m.MessageId),
      ['a', 'b'],
    );
    assert.deepEqual(
      queue.receives.map(({ wait, max }) => ({ wait, max })),
      [{ wait: 3, max: 4 }],
    );
  });

  test('a message received again while gathering is in the batch once, with its newest receipt handle', async () => {
    const queue = scriptedQueue([[message('a'), message('b')], [message('a', 'a-2')], [message('c')]]);
    const batch = await gatherBatch(source(queue.sqs, { batchSize: 3, windowMs: 10_000 }));
    assert.deepEqual(
      batch.map((m) => [m.MessageId, m.ReceiptHandle]),
      [
        ['a', 'a-2'],
        ['b', 'b-1'],
        ['c', 'c-1'],
      ],
    );
    assert.equal(queue.receives.length, 3, 'a counted once: a third receive filled the batch');
  });

  test("the window's last fraction: one short poll at its start, the rest waited out without a receive", async () => {
    const queue = scriptedQueue([[message('a')]]);
    const started = performance.now();
    const batch = await gatherBatch(source(queue.sqs, { windowMs: 400 }));
    const took = performance.now() - started;
    assert.equal(batch.length, 1);
    const [first, last] = queue.receives;
    assert.equal(queue.receives.length, 2);
    assert.deepEqual([first?.wait, last?.wait], [1, 0]);
    assert.ok((last?.at ?? 0) - (first?.at ?? 0) < 200, 'the short poll at once, not at the window end');
    assert.ok(took >= 390, `the window kept (${took} ms)`);
  });

  test('a window of one second is its last fraction: a long poll would end past it', async () => {
    // Answered at once, the first receive leaves the whole second; a 1 s poll would end after the
    // window, when the first messages come back with a visibility timeout of the window's length.
    const queue = scriptedQueue([[message('a')]]);
    await gatherBatch(source(queue.sqs, { windowMs: 1_000 }));
    assert.deepEqual(
      queue.receives.map((r) => r.wait),
      [1, 0],
    );
  });

  test('whole seconds of a window are long polls of at most WaitTimeSeconds; a full batch ends it', async () => {
    const queue = scriptedQueue([[message('a')], [], [message('b')]]);
    const batch = await gatherBatch(
      source(queue.sqs, { batchSize: 2, windowMs: 60_000, waitTimeSeconds: 2 }),
    );
    assert.deepEqual(
      batch.map((m) => m.MessageId),
      ['a', 'b'],
    );
    assert.deepEqual(
      queue.receives.map(({ wait, max }) => ({ wait, max })),
      [
        { wait: 2, max: 2 },
        { wait: 2, max: 1 },
        { wait: 2, max: 1 },
      ],
    );
  });

  test('stopped while gathering: no further receive, the messages in hand are the batch', async () => {
    const stop = new AbortController();
    const queue = scriptedQueue([[message('a')]]);
    const { sqs } = queue;
    const stopping = {
      send: async (command: ReceiveMessageCommand, options?: object) => {
        const answer = await sqs.send(command, options);
        stop.abort(); // the stop comes while the first receive is in flight
        return answer;
      },
    } as unknown as SQSClient;
    const batch = await gatherBatch(source(stopping, { windowMs: 60_000 }, stop.signal));
    assert.deepEqual(
      batch.map((m) => m.MessageId),
      ['a'],
    );
    assert.equal(queue.receives.length, 1);
  });

  test('no receive is ever abortable: an abandoned long poll would still take a message', async () => {
    const queue = scriptedQueue([[message('a')], [message('b')]]);
    await gatherBatch(source(queue.sqs, { batchSize: 2, windowMs: 1_000 }));
    await gatherBatch(source(queue.sqs));
    assert.ok(queue.receives.length >= 3);
    assert.deepEqual(
      queue.receives.filter((r) => r.abortable),
      [],
    );
  });
});

describe('the event source settings', () => {
  test('WaitTimeSeconds 1..20: 0 would spin an idle poller', async () => {
    const { sqs } = scriptedQueue([]);
    const options = {
      sqs,
      queueUrl: 'http://127.0.0.1:1/123456789012/q',
      handler: async () => undefined,
      functionName: 'f',
      signal: AbortSignal.abort(),
    };
    await assert.rejects(
      runSqsEventSource({ ...options, waitTimeSeconds: 0 }),
      /waitTimeSeconds must be 1..20/,
    );
    await assert.rejects(
      runSqsEventSource({ ...options, waitTimeSeconds: 21 }),
      /waitTimeSeconds must be 1..20/,
    );
  });
});
