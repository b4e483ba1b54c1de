import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { itemBytes } from '../../../shared/adapters/dynamodb/item-size.ts';
import {
  emptyTally,
  itemReadUnits,
  meterReads,
  pagedQueryReadUnits,
  queryReadUnits,
  tallyRead,
} from '../../bench/read-units.ts';

describe('DynamoDB read units from item sizes', () => {
  it('a Query sums its items, then rounds up to 4 KB; half when eventually consistent', () => {
    assert.equal(queryReadUnits([1000, 1000, 1000, 1000], false), 0.5); // 4,000 B: one 4 KB unit
    assert.equal(queryReadUnits([4000, 200], false), 1); // 4,200 B: two units, halved
    assert.equal(queryReadUnits([4000, 200], true), 2);
    assert.equal(queryReadUnits([], false), 0.5, 'a Query that finds nothing still reads');
  });

  it('GetItem and BatchGetItem round each item up to 4 KB', () => {
    assert.equal(itemReadUnits(100, true), 1);
    assert.equal(itemReadUnits(4097, true), 2);
    assert.equal(itemReadUnits(4097, false), 1);
    // 100 items of 300 B: 100 units by key, against 0.5 × 8 = 4 by one Query.
    const tally = emptyTally();
    tallyRead(
      tally,
      'BatchGetItem',
      true,
      Array.from({ length: 100 }, () => ({ p: 'x'.repeat(298) })),
    );
    assert.equal(tally.units, 100);
    assert.equal(tally.itemReads, 100);
  });

  it('pages a partition at 1 MB, each page rounded on its own', () => {
    const mb = 1024 * 1024;
    assert.deepEqual(pagedQueryReadUnits([], false), { pages: 1, units: 0.5 });
    // 3 items of half a MB: the second reaches 1 MB and ends the first page.
    const paged = pagedQueryReadUnits([mb / 2, mb / 2, mb / 2], false);
    assert.equal(paged.pages, 2);
    assert.equal(paged.units, (mb / 4096) * 0.5 + (mb / 2 / 4096) * 0.5);
    // 10,000 items of 300 B: pages of 3,496 items (1,048,800 B: 257 units), 3,496, and 3,008 (221).
    const small = pagedQueryReadUnits(Array(10_000).fill(300), false);
    assert.equal(small.pages, 3);
    assert.equal(small.units, (257 + 257 + 221) * 0.5);
  });

  it('meters a document client: the items of each answer, by operation and consistency', async () => {
    const item = { jobId: 'a', state: 'RUNNING' };
    const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
    // The answers never leave the process: a middleware below the meter answers each call.
    client.middlewareStack.add(
      (_next, context) => async () => {
        const name = String(context.commandName);
        const output = name === 'QueryCommand' ? { Items: [item, item] } : { Responses: { t: [item] } };
        return { output: { ...output, $metadata: {} }, response: {} };
      },
      { step: 'initialize', priority: 'low', name: 'answer' },
    );
    const meter = meterReads(client);
    await client.send(new QueryCommand({ TableName: 't', IndexName: 'i', KeyConditionExpression: 'x' }));
    await client.send(
      new BatchGetCommand({ RequestItems: { t: { Keys: [{ jobId: 'a' }], ConsistentRead: true } } }),
    );
    assert.deepEqual(meter.tally, { queries: 1, queryItems: 2, itemReads: 1, batchGets: 1, units: 1.5 });
    assert.ok(itemBytes(item) < 4096);
  });
});
