import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../../../shared/adapters/eventbridge/publisher.ts';
import { stateChangeEvent } from '../../../../shared/core/job/events.ts';
import { record } from '../../core/reconcile/fixtures.ts';

/** A stub at the SDK boundary: records each PutEvents; `answer` says which entries fail, or throws. */
function stubClient(answer: (call: number, index: number) => 'ok' | 'fail' | 'throw' = () => 'ok') {
  const calls: { EventBusName?: string; DetailType?: string; Detail?: string }[][] = [];
  const client = {
    async send(command: PutEventsCommand) {
      const entries = command.input.Entries ?? [];
      const call = calls.push(entries) - 1;
      if (entries.some((_, i) => answer(call, i) === 'throw')) throw new Error('socket hang up');
      return {
        Entries: entries.map((_, i) =>
          answer(call, i) === 'fail' ? { ErrorCode: 'ThrottlingException' } : { EventId: `e${i}` },
        ),
      };
    },
  } as unknown as EventBridgeClient;
  return { client, calls };
}

const events = (n: number) =>
  Array.from({ length: n }, (_, i) => stateChangeEvent(record('RUNNING', { jobId: `j${i}` })));
const jobIds = (entries: { Detail?: string }[] | undefined) =>
  (entries ?? []).map((e) => JSON.parse(e.Detail ?? '{}').jobId);

describe('EventBridgePublisher', () => {
  it('sends batches of at most 10 entries to the bus, in order, with the source, detail-type and detail', async () => {
    const { client, calls } = stubClient();
    const publisher = new EventBridgePublisher(client, 'bus-1');
    assert.deepEqual(await publisher.publish(events(23)), { published: 23 });
    assert.deepEqual(
      calls.map((c) => c.length),
      [10, 10, 3],
    );
    const first = calls[0]?.[0];
    assert.equal(first?.EventBusName, 'bus-1');
    assert.equal(first?.DetailType, 'Job State Change');
    assert.equal(JSON.parse(first?.Detail ?? '{}').jobId, 'j0');
    assert.equal(JSON.parse(first?.Detail ?? '{}').eventId, 'j0#1');
  });

  it('sends the failed entries again', async () => {
    const { client, calls } = stubClient((call, i) => (call === 0 && (i === 1 || i === 4) ? 'fail' : 'ok'));
    const publisher = new EventBridgePublisher(client, 'bus-1');
    assert.deepEqual(await publisher.publish(events(5)), { published: 5 });
    assert.deepEqual(jobIds(calls[1]), ['j1', 'j4']);
    assert.equal(publisher.counters.published, 5);
  });

  it('stops at the first batch still failing after three attempts: the events before it are published', async () => {
    // the second batch's entry 3 (j13) fails every time
    const { client, calls } = stubClient((call, i) =>
      call >= 1 && i === (call === 1 ? 3 : 0) ? 'fail' : 'ok',
    );
    const publisher = new EventBridgePublisher(client, 'bus-1');
    const out = await publisher.publish(events(25));
    assert.equal(out.published, 10);
    assert.match(out.error ?? '', /1 entries failed after 3 attempts \(ThrottlingException\)/);
    assert.deepEqual(jobIds(calls[2]), ['j13']);
    assert.equal(calls.length, 4, 'the third batch is never sent');
  });

  it('a call that throws ends the publish with the reason, never with a throw', async () => {
    const { client } = stubClient((call) => (call === 1 ? 'throw' : 'ok'));
    const out = await new EventBridgePublisher(client, 'bus-1').publish(events(15));
    assert.deepEqual(out, { published: 10, error: 'Error: socket hang up' });
  });
});
