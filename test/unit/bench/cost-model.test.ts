import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  type CostCounts,
  callsTable,
  capacityOf,
  costTable,
  DEFAULT_WORKLOAD,
  dailyCost,
  ESTIMATED_COUNTS,
  entriesOf,
  marshalledBytes,
  PRICES_US_EAST_1,
  putWriteUnits,
  resyncReadUnits,
  steadyState,
  totalPerDay,
} from '../../bench/cost-model.ts';

/** A record-shaped item of about `bytes` bytes, with both indexes' keys unless told otherwise. */
function item(bytes: number, keys = true) {
  const base = keys
    ? { jobId: 'j', owner: 'o', createdAt: '2026-01-01', statusShard: 'RUNNING#1', updatedAt: '2026-01-01' }
    : { jobId: '#usage#owner#o' };
  const padding = bytes - marshalledBytes(marshall({ ...base, pad: '' }));
  return marshall({ ...base, pad: 'x'.repeat(Math.max(0, padding)) });
}

describe('cost model: capacity units from the wire', () => {
  it('counts an item as DynamoDB does', () => {
    assert.equal(marshalledBytes(item(2000)), 2000);
  });

  it('a new record writes the table and both indexes; a replaced one deletes and puts byStatus', () => {
    // The index items hold the keys and what they project, not the padding: 1 unit each.
    assert.equal(putWriteUnits(item(2000), true), 4); // 2 (table) + 1 (byOwner) + 1 (byStatus)
    assert.equal(putWriteUnits(item(2000), false), 4); // 2 + 0 (byOwner: keys only, unchanged) + 2 × 1 (moved)
    assert.equal(putWriteUnits(item(100, false), false), 1); // a usage counter: in no index
    assert.equal(putWriteUnits(item(1024), true), 3); // exactly 1 KB is one unit
    assert.equal(putWriteUnits(item(1025), true), 4);
  });

  it('an index item is as large as what it projects: a big message is written to byStatus too', () => {
    const big = marshall({ ...unmarshall(item(100)), message: 'm'.repeat(1500) });
    assert.equal(putWriteUnits(big, true), 2 + 1 + 2);
  });

  it('PutItem: a conditional create or a versioned replace', () => {
    const create = { Item: item(2000), ConditionExpression: 'attribute_not_exists(jobId)' };
    const replace = { Item: item(2000), ConditionExpression: '#version = :expected' };
    assert.deepEqual(capacityOf('DynamoDB_20120810.PutItem', create, {}), { writeUnits: 4, readUnits: 0 });
    assert.deepEqual(capacityOf('DynamoDB_20120810.PutItem', replace, {}), { writeUnits: 4, readUnits: 0 });
  });

  it('TransactWriteItems doubles the table writes, not the index writes', () => {
    const request = {
      TransactItems: [
        { Put: { Item: item(2000), ConditionExpression: '#version = :expected' } },
        { Update: { Key: marshall({ jobId: '#usage#owner#o' }) } },
      ],
    };
    // record: 2 × 2 (table) + 0 (byOwner) + 2 (byStatus); counter: 2 × 1
    assert.deepEqual(capacityOf('DynamoDB_20120810.TransactWriteItems', request, {}), {
      writeUnits: 8,
      readUnits: 0,
    });
    assert.equal(entriesOf('DynamoDB_20120810.TransactWriteItems', request), 2);
  });

  it('reads: consistent BatchGets per item by 4 KB, eventually consistent Queries by 4 KB over the page', () => {
    const batch = { RequestItems: { jobs: { Keys: [{}, {}, {}], ConsistentRead: true } } };
    const got = { Responses: { jobs: [item(3000), item(5000)] } };
    assert.deepEqual(capacityOf('DynamoDB_20120810.BatchGetItem', batch, got), {
      writeUnits: 0,
      readUnits: 3,
    });
    assert.equal(entriesOf('DynamoDB_20120810.BatchGetItem', batch), 3);
    const query = { IndexName: 'byStatus' };
    const page = { Items: [item(3000), item(3000), item(3000)] }; // 9,000 bytes: 3 × 4 KB, halved
    assert.deepEqual(capacityOf('DynamoDB_20120810.Query', query, page), { writeUnits: 0, readUnits: 1.5 });
    assert.deepEqual(capacityOf('DynamoDB_20120810.Query', query, { Items: [] }), {
      writeUnits: 0,
      readUnits: 0.5,
    });
    assert.deepEqual(
      capacityOf('DynamoDB_20120810.GetItem', { ConsistentRead: true }, { Item: item(5000) }),
      {
        writeUnits: 0,
        readUnits: 2,
      },
    );
  });

  it('entries of PutEvents and DeleteMessageBatch; other calls are one', () => {
    assert.equal(entriesOf('AWSEvents.PutEvents', { Entries: [{}, {}, {}] }), 3);
    assert.equal(entriesOf('AmazonSQS.DeleteMessageBatch', { Entries: new Array(10).fill({}) }), 10);
    assert.equal(entriesOf('AmazonSQS.ReceiveMessage', { MaxNumberOfMessages: 10 }), 1);
    assert.deepEqual(capacityOf('AmazonSQS.ReceiveMessage', {}, {}), { writeUnits: 0, readUnits: 0 });
  });
});

describe('cost model: a day of jobs', () => {
  it('the steady state of 1M jobs a day: active records and the Jobs each resync LISTs', () => {
    const s = steadyState(DEFAULT_WORKLOAD);
    assert.equal(Math.round(s.activeJobs), 3472); // 11.57 jobs/s × 300 s
    assert.equal(Math.round(s.listedJobs), 45139); // × (300 s + a TTL of 3600 s)
    assert.equal(s.pagesPerResync, 91);
    assert.equal(steadyState({ ...DEFAULT_WORKLOAD, jobsPerDay: 0 }).pagesPerResync, 1);
  });

  it('a resync reads 24 shards, at least half a unit each', () => {
    assert.equal(resyncReadUnits(0, 3000), 12);
    // 3,472 records × 3,000 B over 24 shards = 434,000 B a shard: 106 × 4 KB, halved
    assert.equal(resyncReadUnits(3472, 3000), 24 * 0.5 * 106);
  });

  it('prices each service from the counts', () => {
    const rows = dailyCost(ESTIMATED_COUNTS, DEFAULT_WORKLOAD, PRICES_US_EAST_1);
    const by = (service: string) => rows.find((r) => r.service === service);
    // 1,440 invocations × 52 s × 0.5 GB
    assert.equal(by('Lambda reconcile duration')?.unitsPerDay, 37_440);
    assert.ok(Math.abs((by('Lambda reconcile duration')?.usdPerDay ?? 0) - 37_440 * 0.0000133334) < 1e-9);
    // 100,000 invocations × 0.4 s × 0.5 GB
    assert.equal(by('Lambda submit duration')?.unitsPerDay, 20_000);
    assert.equal(by('DynamoDB writes')?.unitsPerDay, 38e6);
    assert.equal(by('DynamoDB writes')?.usdPerDay, 38 * 0.625);
    assert.equal(by('EventBridge')?.usdPerDay, 3);
    assert.equal(by('DynamoDB Streams')?.usdPerDay, 0);
    // 0.2 event-source requests + 1 send a job, and the idle polls
    assert.equal(by('SQS')?.unitsPerDay, 1.2e6 + 21_600);
    const eks = by('EKS control plane');
    assert.ok(Math.abs((eks?.usdPerDay ?? 0) - 2.4) < 1e-9);
    assert.ok(Math.abs((eks?.usdPerMonth ?? 0) - 72) < 1e-9);
    assert.ok(Math.abs(totalPerDay(rows) - rows.reduce((s, r) => s + r.usdPerDay, 0)) < 1e-12);
  });

  it('scales linearly in jobs, except what is per invocation', () => {
    const one = dailyCost(ESTIMATED_COUNTS);
    const ten = dailyCost(ESTIMATED_COUNTS, { ...DEFAULT_WORKLOAD, jobsPerDay: 10_000_000 });
    const at = (rows: typeof one, s: string) => rows.find((r) => r.service === s)?.usdPerDay ?? 0;
    assert.ok(Math.abs(at(ten, 'DynamoDB writes') - 10 * at(one, 'DynamoDB writes')) < 1e-9);
    assert.equal(at(ten, 'Lambda reconcile duration'), at(one, 'Lambda reconcile duration'));
  });

  it('renders the tables docs/cost.md shows', () => {
    const table = costTable(dailyCost(ESTIMATED_COUNTS));
    assert.match(table, /^\| Service \| Units a day/);
    assert.match(table, /\| DynamoDB writes \| 38,000,000 \| WRU \| \$23\.75 \| \$713 \|/);
    assert.match(table, /\| \*\*Total\*\* /);
    const counts: CostCounts = {
      ...ESTIMATED_COUNTS,
      perJob: { ...ESTIMATED_COUNTS.perJob, calls: { 'b op': 0.1, 'a op': 4 } },
    };
    assert.equal(
      callsTable(counts),
      '| Operation | Calls per job |\n| --- | ---: |\n| a op | 4.00 |\n| b op | 0.10 |',
    );
  });
});
