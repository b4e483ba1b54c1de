import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher } from '../../../../shared/adapters/eventbridge/publisher.ts';
import { stateChangeEvent } from '../../../../shared/core/job/events.ts';
import { record } from '../../core/reconcile/fixtures.ts';

/** A stub at the SDK boundary: records each PutEvents and fails the entries it is told to. */
function stubClient(failFirst: Set<number>) {
  const calls: { EventBusName?: string; DetailType?: string; Detail?: string }[][] = [];
  let call = 0;
  const client = {
    async send(command: PutEventsCommand) {
      const entries = command.input.Entries ?? [];
      calls.push(entries);
      const thisCall = call++;
      return {
        FailedEntryCount: 0,
        Entries: entries.map((_, i) =>
          thisCall === 0 && failFirst.has(i) ? { ErrorCode: 'ThrottlingException' } : { EventId: `e${i}` },
        ),
      };
    },
  } as unknown as EventBridgeClient;
  return { client, calls };
}

describe('EventBridgePublisher', () => {
  it('sends batches of at most 10 entries to the bus, with the source, detail-type and detail', async () => {
    const { client, calls } = stubClient(new Set());
    const publisher = new EventBridgePublisher(client, 'bus-1');
    const events = Array.from({ length: 23 }, (_, i) =>
      stateChangeEvent(record('RUNNING', { jobId: `j${i}` })),
    );
    assert.deepEqual(await publisher.publish(events), { failed: 0 });
    assert.deepEqual(
      calls.map((c) => c.length),
      [10, 10, 3],
    );
    const first = calls[0]?.[0];
    assert.equal(first?.EventBusName, 'bus-1');
    assert.equal(first?.DetailType, 'Job State Change');
    assert.equal(JSON.parse(first?.Detail ?? '{}').jobId, 'j0');
  });

  it('sends the failed entries again', async () => {
    const { client, calls } = stubClient(new Set([1, 4]));
    const publisher = new EventBridgePublisher(client, 'bus-1');
    const events = Array.from({ length: 5 }, (_, i) =>
      stateChangeEvent(record('RUNNING', { jobId: `j${i}` })),
    );
    assert.deepEqual(await publisher.publish(events), { failed: 0 });
    assert.deepEqual(
      calls[1]?.map((e) => JSON.parse(e.Detail ?? '{}').jobId),
      ['j1', 'j4'],
    );
    assert.equal(publisher.counters.published, 5);
  });
});
