import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { publishChanges } from '../../../../functions/publish/publish.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import { record } from '../../core/reconcile/fixtures.ts';
import { FakeBus, silentLog } from '../../fakes/bus.ts';

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;
const image = (r: object): Image =>
  marshall(r, { removeUndefinedValues: true }) as Record<string, AttributeValue> as Image;

let sequence = 100;
/** A stream record as Lambda delivers it (NEW_AND_OLD_IMAGES). */
function write(before: JobRecord | undefined, after: JobRecord | undefined): DynamoDBRecord {
  const eventName = !before ? 'INSERT' : !after ? 'REMOVE' : 'MODIFY';
  return {
    eventName,
    dynamodb: {
      SequenceNumber: String(sequence++),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
      ...(before && { OldImage: image(before) }),
      ...(after && { NewImage: image(after) }),
    },
  };
}

function setup() {
  const bus = new FakeBus();
  const counts = new Map<string, number>();
  const deps = {
    publisher: bus,
    log: silentLog,
    count: (metric: string, value: number) => counts.set(metric, (counts.get(metric) ?? 0) + value),
  };
  return {
    bus,
    counts,
    run: (records: DynamoDBRecord[]) => publishChanges(deps, records, { deadline: Date.now() + 10_000 }),
  };
}

/** One job's life as its writes: SUBMITTED, PENDING, RUNNING, a result update, SUCCEEDED, the TTL delete. */
function life(jobId: string): DynamoDBRecord[] {
  const v = (state: JobRecord['state'], version: number, extra: Partial<JobRecord> = {}) =>
    record(state, { jobId, version, ...extra });
  return [
    write(undefined, v('SUBMITTED', 1)),
    write(v('SUBMITTED', 1), v('PENDING', 2)),
    write(v('PENDING', 2), v('RUNNING', 3)),
    write(v('RUNNING', 3), v('RUNNING', 4, { message: 'progress' })),
    write(v('RUNNING', 4), v('SUCCEEDED', 5)),
    write(v('SUCCEEDED', 5), undefined),
  ];
}

describe('publish: the stream of the jobs table -> "Job State Change" events', () => {
  it('one event per transition, in stream order, with the transition as id', async () => {
    const { bus, counts, run } = setup();
    const records = [...life('a'), ...life('b')];
    assert.deepEqual(await run(records), { batchItemFailures: [] });
    assert.deepEqual(
      bus.published.map((e) => e.detail.eventId),
      ['a#2', 'a#3', 'a#5', 'b#2', 'b#3', 'b#5'],
    );
    assert.deepEqual(
      bus.published.slice(0, 3).map((e) => `${e.detail.previousState}->${e.detail.state}`),
      ['SUBMITTED->PENDING', 'PENDING->RUNNING', 'RUNNING->SUCCEEDED'],
    );
    assert.equal(bus.calls.length, 1);
    assert.equal(counts.get('EventsPublished'), 6);
    assert.equal(counts.get('EventsFailed'), undefined);
    // the outcomes, per state entered
    assert.deepEqual(
      ['JobsPending', 'JobsRunning', 'JobsSucceeded', 'JobsSubmitted'].map((m) => counts.get(m)),
      [2, 2, 2, undefined],
    );
  });

  it('on a failure, names the first record whose event is not on the bus: the stream retries from it', async () => {
    const { bus, counts, run } = setup();
    const records = life('a');
    bus.failFrom = 1; // PENDING goes out, RUNNING does not
    const out = await run(records);
    assert.deepEqual(out, { batchItemFailures: [{ itemIdentifier: records[2]?.dynamodb?.SequenceNumber }] });
    assert.equal(counts.get('EventsFailed'), 2);
    // Lambda's retry: the same records from the named one on; RUNNING and SUCCEEDED go out then
    bus.failFrom = undefined;
    assert.deepEqual(await run(records.slice(2)), { batchItemFailures: [] });
    assert.deepEqual(
      bus.published.map((e) => e.detail.eventId),
      ['a#2', 'a#3', 'a#5'],
    );
  });

  it('a batch with nothing to publish succeeds without a call worth making', async () => {
    const { bus, run } = setup();
    const [submitted, , , progress, , removed] = life('a');
    assert.deepEqual(await run([submitted, progress, removed] as DynamoDBRecord[]), {
      batchItemFailures: [],
    });
    assert.equal(bus.published.length, 0);
  });

  it('a record that is not a job record is skipped and counted, not retried forever', async () => {
    const { bus, counts, run } = setup();
    const stray: DynamoDBRecord = {
      eventName: 'INSERT',
      dynamodb: { SequenceNumber: '1', NewImage: image({ jobId: 'x', state: 'NOPE', version: 1 }) },
    };
    const keysOnly: DynamoDBRecord = { eventName: 'MODIFY', dynamodb: { SequenceNumber: '2' } };
    const records = [stray, keysOnly, ...life('a')];
    assert.deepEqual(await run(records), { batchItemFailures: [] });
    assert.equal(counts.get('EventsSkipped'), 2);
    assert.equal(bus.published.length, 3);
  });
});
