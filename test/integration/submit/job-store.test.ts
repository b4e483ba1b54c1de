import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { itemBytes } from '../../../shared/adapters/dynamodb/item-size.ts';
import { RECORD_BUDGET_BYTES } from '../../../shared/core/job/budget.ts';
import { transition } from '../../../shared/core/job/transition.ts';
import { submittedRecord } from '../../../shared/core/submit/records.ts';
import { largestResult } from '../../support/records.ts';
import { documentClient, store, uid } from './support.ts';

const record = (jobId: string) =>
  submittedRecord({
    jobId,
    owner: 'it-store',
    at: new Date().toISOString(),
    namespace: 'jobs',
    jobName: 'x',
    requestHash: 'h1',
    request: { nested: { list: [1, 'two'] } },
    sourceMessageId: 'm',
  });

describe('DynamoDbJobStore (the JobStore port on the local stack DynamoDB)', () => {
  it('create is conditional on the jobId and returns the existing record on a second create', async () => {
    const jobId = uid('store');
    assert.deepEqual(await store.create(record(jobId)), { created: true });
    const second = await store.create({ ...record(jobId), requestHash: 'h2' });
    assert.equal(second.created, false);
    assert.equal(!second.created && second.existing.requestHash, 'h1');
    assert.deepEqual((await store.get(jobId))?.request, { nested: { list: [1, 'two'] } });
  });

  it('concurrent creates: exactly one wins', async () => {
    const jobId = uid('store-race');
    const results = await Promise.all(Array.from({ length: 8 }, () => store.create(record(jobId))));
    assert.equal(results.filter((r) => r.created).length, 1);
  });

  it('replace is conditional on version = next.version - 1: a stale writer loses', async () => {
    const jobId = uid('store-replace');
    const first = record(jobId);
    await store.create(first);
    const next = transition(first, { state: 'PENDING', at: new Date().toISOString() });
    assert.ok(next);
    assert.equal(await store.replace(next), true);
    assert.equal(await store.replace(next), false, 'the same version twice: the second loses');
    const stale = transition(first, { state: 'RUNNING', at: new Date().toISOString() });
    assert.ok(stale);
    assert.equal(await store.replace(stale), false);
    assert.equal((await store.get(jobId))?.state, 'PENDING');
    assert.equal(await store.get(uid('absent')), undefined);
  });

  it('an item over the budget is cut to fit, with what was cut recorded in it', async () => {
    const jobId = uid('store-budget');
    const first = record(jobId);
    await store.create(first);
    const next = transition(first, { state: 'FAILED', at: new Date().toISOString(), retentionSeconds: 3600 });
    assert.ok(next);
    next.request = { payload: 'r'.repeat(120_000) };
    next.result = largestResult(2);
    assert.ok(itemBytes(next) > RECORD_BUDGET_BYTES, 'without the budget this item would be refused');
    assert.equal(await store.replace(next), true);
    const stored = await store.get(jobId);
    assert.ok(stored && itemBytes(stored) <= RECORD_BUDGET_BYTES, `${stored && itemBytes(stored)} bytes`);
    assert.deepEqual(stored?.trimmed, ['result.pods[].logTail to 1 KiB']);
    assert.equal(stored?.result?.pods.length, 20);
    assert.equal(stored?.state, 'FAILED');
  });

  it("an SDK retry of a put that had succeeded is the writer's own write, not a lost race", async () => {
    const jobId = uid('store-retried');
    const first = record(jobId);
    // The first attempt's answer is lost: the item is stored, and the SDK sends the same put again.
    let answers = 0;
    const loseFirstAnswer = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      const out = await next(args);
      if (answers++ === 0)
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $retryable: {} });
      return out;
    };
    documentClient.middlewareStack.add(loseFirstAnswer as never, {
      step: 'deserialize',
      name: 'loseFirstAnswer',
    });
    try {
      assert.deepEqual(await store.create(first), { created: true }, 'the retried create is ours');
      assert.ok(answers >= 2, 'the SDK sent the put again after the lost answer');
      answers = 0;
      const next = transition(first, { state: 'PENDING', at: new Date().toISOString() });
      assert.ok(next);
      assert.equal(await store.replace(next), true, 'the retried replace is ours');
      assert.ok(answers >= 2, 'the SDK sent the put again after the lost answer');
    } finally {
      documentClient.middlewareStack.remove('loseFirstAnswer');
    }
    // Another writer's put of the same version is a lost race, whatever it holds.
    const stale = transition(first, { state: 'RUNNING', at: new Date().toISOString() });
    assert.ok(stale);
    assert.equal(await store.replace(stale), false);
    assert.deepEqual(await store.create(first), { created: false, existing: await store.get(jobId) });
  });
  it('createAll: new records in one transaction, existing ones found, a repeated jobId finds the first', async () => {
    const [a, b, c] = ['a', 'b', 'c'].map((k) => uid(`store-all-${k}`)) as [string, string, string];
    await store.create({ ...record(b), requestHash: 'h-old' });
    const results = await store.createAll([
      record(a),
      record(b),
      record(c),
      { ...record(a), requestHash: 'h2' },
    ]);
    const values = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
    assert.deepEqual(values[0], { created: true });
    assert.equal(values[1].created === false && values[1].existing.requestHash, 'h-old');
    assert.deepEqual(values[2], { created: true });
    assert.equal(values[3].created === false && values[3].existing.requestHash, 'h1');
    assert.equal((await store.get(c))?.state, 'SUBMITTED');
  });

  it("createAll: an SDK retry of a transaction that had applied is the writer's own write", async () => {
    const ids = ['a', 'b'].map((k) => uid(`store-all-retried-${k}`));
    let answers = 0;
    const loseFirstAnswer = (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      const out = await next(args);
      if (answers++ === 0)
        throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError', $retryable: {} });
      return out;
    };
    documentClient.middlewareStack.add(loseFirstAnswer as never, {
      step: 'deserialize',
      name: 'loseFirstAnswer',
    });
    try {
      const results = await store.createAll(ids.map(record));
      assert.deepEqual(
        results.map((r) => r.status === 'fulfilled' && r.value),
        [{ created: true }, { created: true }],
      );
      assert.ok(answers >= 2, 'the SDK sent the transaction again after the lost answer');
    } finally {
      documentClient.middlewareStack.remove('loseFirstAnswer');
    }
  });
});
