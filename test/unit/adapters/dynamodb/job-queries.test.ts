// DynamoDbJobQueries over a table in memory that answers as DynamoDB does: an index Query gives only
// what the index projects (shared/resources.ts), BatchGetItem whole items.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { indexItem, jobsIndex } from '../../../../shared/adapters/dynamodb/index-item.ts';
import { DynamoDbJobQueries } from '../../../../shared/adapters/dynamodb/job-queries.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import type { JobState } from '../../../../shared/core/job/state.ts';
import { statusShard } from '../../../../shared/core/job/transition.ts';

type Item = Record<string, unknown>;
interface Input {
  IndexName?: 'byOwner' | 'byStatus';
  ExpressionAttributeValues?: Record<string, string>;
  ExpressionAttributeNames?: Record<string, string>;
  ProjectionExpression?: string;
  ScanIndexForward?: boolean;
  Limit?: number;
  ExclusiveStartKey?: Item;
  RequestItems?: Record<string, { Keys: { jobId: string }[] }>;
}

/** The jobs table in memory; `queries` counts the index items each Query returned. */
function table(records: JobRecord[], pageSize = 1000) {
  const items = new Map(records.map((r) => [r.jobId, r as unknown as Item]));
  const returned: Item[][] = [];
  const client = {
    async send(command: { input: Input; constructor: { name: string } }) {
      const input = command.input;
      if (command.constructor.name === 'BatchGetCommand') {
        const [name, request] = Object.entries(input.RequestItems ?? {})[0] as [
          string,
          { Keys: { jobId: string }[] },
        ];
        return { Responses: { [name]: request.Keys.flatMap((k) => items.get(k.jobId) ?? []) } };
      }
      const index = jobsIndex(input.IndexName as 'byOwner' | 'byStatus');
      const value = Object.values(input.ExpressionAttributeValues ?? {})[0];
      const sort = index.sortKey.name;
      let matching: Item[] = [...items.values()]
        .flatMap((item): Item[] => {
          const projected = indexItem(item, index);
          return projected ? [projected as Item] : [];
        })
        .filter((item) => item[index.partitionKey.name] === value)
        .sort((a, b) => String(a[sort]).localeCompare(String(b[sort])));
      if (input.ScanIndexForward === false) matching.reverse();
      if (input.ExclusiveStartKey) {
        const at = matching.findIndex((i) => i.jobId === input.ExclusiveStartKey?.jobId);
        matching = matching.slice(at + 1);
      }
      const limit = Math.min(input.Limit ?? pageSize, pageSize);
      const page = matching.slice(0, limit);
      const more = matching.length > limit;
      const names = input.ProjectionExpression?.split(', ').map(
        (n) => input.ExpressionAttributeNames?.[n] ?? n,
      );
      const out = names
        ? page.map((i) => Object.fromEntries(names.filter((n) => n in i).map((n) => [n, i[n]])))
        : page;
      returned.push(out);
      const last = page.at(-1);
      return { Items: out, LastEvaluatedKey: more && last ? { jobId: last.jobId } : undefined };
    },
  };
  return { queries: new DynamoDbJobQueries(client as unknown as DynamoDBDocumentClient, 'jobs'), returned };
}

function rec(i: number, state: JobState, owner = 'team-a'): JobRecord {
  const jobId = `job-${String(i).padStart(2, '0')}`;
  const at = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  return {
    jobId,
    owner,
    state,
    namespace: 'jobs',
    jobName: jobId,
    request: { image: 'x', big: 'y'.repeat(2000) },
    createdAt: at,
    updatedAt: at,
    version: 2,
    history: [{ state, at }],
    statusShard: statusShard(state, jobId),
    observed: { resourceVersion: `rv-${i}`, version: 2 },
  };
}

describe('DynamoDbJobQueries over small indexes (v1.3)', () => {
  it('listByOwner: newest first from the keys-only index, whole records read by key, with a cursor', async () => {
    const { queries, returned } = table(Array.from({ length: 7 }, (_, i) => rec(i, 'RUNNING')));
    const first = await queries.listByOwner('team-a', { limit: 3 });
    assert.deepEqual(
      first.items.map((r) => r.jobId),
      ['job-06', 'job-05', 'job-04'],
    );
    assert.deepEqual(first.items[0]?.request, rec(6, 'RUNNING').request, 'the whole record');
    assert.deepEqual(Object.keys(returned[0]?.[0] ?? {}).sort(), ['createdAt', 'jobId', 'owner']);
    const second = await queries.listByOwner('team-a', { limit: 3, cursor: first.cursor });
    assert.deepEqual(
      second.items.map((r) => r.jobId),
      ['job-03', 'job-02', 'job-01'],
    );
  });

  it('listByState: the newest of every shard merged, whole records, none that left the state', async () => {
    const records = Array.from({ length: 12 }, (_, i) => rec(i, i % 3 === 0 ? 'FAILED' : 'RUNNING'));
    const { queries } = table(records);
    const failed = await queries.listByState('FAILED', { limit: 3 });
    assert.deepEqual(
      failed.map((r) => r.jobId),
      ['job-09', 'job-06', 'job-03'],
    );
    assert.equal(failed[0]?.history.length, 1);
    // The index still says RUNNING for job-01 but its record has moved on: it is left out.
    const moved = records[1] as JobRecord;
    moved.state = 'SUCCEEDED';
    const running = await queries.listByState('RUNNING', { limit: 100 });
    assert.ok(!running.some((r) => r.jobId === 'job-01'));
    assert.equal(running.length, 7);
  });

  it('scanState: every record of a state, page after page, whole', async () => {
    const { queries } = table(
      Array.from({ length: 30 }, (_, i) => rec(i, 'QUEUED')),
      2,
    );
    const seen: JobRecord[] = [];
    for await (const r of queries.scanState('QUEUED')) seen.push(r);
    assert.equal(seen.length, 30);
    assert.ok(seen.every((r) => r.request !== undefined));
  });

  it('scanActive: entries of the index only, a fraction of the records', async () => {
    const { queries, returned } = table(
      [rec(1, 'RUNNING'), rec(2, 'PENDING'), rec(3, 'SUBMITTED'), rec(4, 'QUEUED'), rec(5, 'FAILED')],
      1,
    );
    const entries = [];
    for await (const e of queries.scanActive()) entries.push(e);
    assert.deepEqual(entries.map((e) => e.jobId).sort(), ['job-01', 'job-02', 'job-03']);
    assert.deepEqual(Object.keys(entries.find((e) => e.jobId === 'job-01') ?? {}).sort(), [
      'jobId',
      'jobName',
      'namespace',
      'observed',
      'state',
      'updatedAt',
      'version',
    ]);
    // What the Queries read: index items, without the request or the history.
    assert.ok(returned.flat().every((item) => !('request' in item) && !('history' in item)));
  });

  it('scanQueue: what admission orders by, from the index', async () => {
    const queued = { ...rec(1, 'QUEUED'), admission: { queuedAt: 'x' } } as unknown as JobRecord;
    const { queries } = table([queued]);
    const entries = [];
    for await (const e of queries.scanQueue()) entries.push(e);
    assert.equal(entries.length, 1);
    assert.deepEqual(entries[0]?.admission, { queuedAt: 'x' });
    assert.equal((entries[0] as Record<string, unknown>).request, undefined);
  });
});
