// The read API against the real table schema (moto): keys, indexes and their order.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import { statusShard } from '../../../shared/core/job/transition.ts';
import { documentClient, queries, stack, store } from './support.ts';

const owner = `owner-${randomUUID().slice(0, 8)}`;

function rec(i: number, state: JobRecord['state']): JobRecord {
  const jobId = `${owner}-job-${i}`;
  const createdAt = new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
  return {
    jobId,
    owner,
    state,
    createdAt,
    updatedAt: new Date(Date.now() + i).toISOString(),
    version: 1,
    history: [{ state, at: createdAt }],
    statusShard: statusShard(state, jobId),
  };
}

const written: string[] = [];
after(async () => {
  for (const jobId of written) {
    await documentClient.send(new DeleteCommand({ TableName: stack.aws.tableName, Key: { jobId } }));
  }
});

describe('DynamoDbJobQueries', () => {
  it('getJob, getJobs, listByOwner newest first with a cursor, listByState over all shards', async () => {
    const records = Array.from({ length: 12 }, (_, i) => rec(i, i % 3 === 0 ? 'FAILED' : 'RUNNING'));
    for (const r of records) {
      assert.ok((await store.create(r)).created);
      written.push(r.jobId);
    }

    assert.equal((await queries.getJob(records[0]?.jobId ?? ''))?.owner, owner);
    const many = await queries.getJobs([...records.map((r) => r.jobId), 'no-such-job']);
    assert.equal(many.size, 12);

    const first = await queries.listByOwner(owner, { limit: 5 });
    assert.deepEqual(
      first.items.map((r) => r.jobId),
      [11, 10, 9, 8, 7].map((i) => `${owner}-job-${i}`),
    );
    assert.ok(first.cursor);
    const second = await queries.listByOwner(owner, { limit: 5, cursor: first.cursor });
    assert.equal(second.items[0]?.jobId, `${owner}-job-6`);

    // The shards of FAILED: our 4 jobs are among them, most recently updated first.
    const failed = (await queries.listByState('FAILED', { limit: 1000 })).filter((r) => r.owner === owner);
    assert.deepEqual(
      failed.map((r) => r.jobId),
      [9, 6, 3, 0].map((i) => `${owner}-job-${i}`),
    );
    const shards = new Set(records.filter((r) => r.state === 'RUNNING').map((r) => r.statusShard));
    assert.ok(shards.size > 1, 'the running jobs spread over several shards');
    // The resync's read: entries of the index, not records (v1.3: the index projects a few attributes).
    const running: string[] = [];
    for await (const entry of queries.scanActive()) {
      if (!entry.jobId.startsWith(`${owner}-job-`)) continue;
      running.push(entry.jobId);
      assert.equal(entry.state, 'RUNNING');
      assert.ok(!('history' in entry) && !('owner' in entry), 'an entry carries only what the resync needs');
    }
    assert.equal(running.length, 8);

    // A listing still gives whole records, read by key.
    assert.deepEqual(failed[0]?.history, records[9]?.history);
    assert.deepEqual(first.items[0]?.history, records[11]?.history);
  });
});
