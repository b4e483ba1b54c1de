// DynamoDbJobStore.createAll against a table at the document client's boundary that answers as
// DynamoDB does: conditional puts, transactions that are all or nothing, that refuse two actions on
// one item (ValidationException) and that say per item why they were cancelled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoDbJobStore } from '../../../../shared/adapters/dynamodb/job-store.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import type { Created } from '../../../../shared/core/ports.ts';
import { record } from '../../core/reconcile/fixtures.ts';

type Input = Record<string, never> & { Item?: JobRecord; TransactItems?: { Put: { Item: JobRecord } }[] };

/** What a test makes the table answer a request with, instead of the table's own answer. */
type Fault = (operation: string, input: Input) => Error | 'apply-then-lose-answer' | undefined;

function table(fault: Fault = () => undefined) {
  const items = new Map<string, JobRecord>();
  const sent: string[] = [];
  const cancelled = (codes: string[]) =>
    new TransactionCanceledException({
      message: 'Transaction cancelled',
      $metadata: {},
      CancellationReasons: codes.map((Code) => ({ Code })),
    });
  const send = async (command: { constructor: { name: string }; input: Input }) => {
    const operation = command.constructor.name.replace(/Command$/, '');
    const { input } = command;
    const puts = (input.TransactItems ?? []).map((t) => t.Put.Item);
    sent.push(operation === 'TransactWrite' ? `TransactWriteItems x${puts.length}` : operation);
    const injected = fault(operation, input);
    if (injected instanceof Error) throw injected;
    switch (operation) {
      case 'Put': {
        const item = input.Item as JobRecord;
        if (items.has(item.jobId))
          throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
        items.set(item.jobId, structuredClone(item));
        // The SDK's retry of a put whose answer was lost finds the item it wrote.
        if (injected === 'apply-then-lose-answer')
          throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
        return {};
      }
      case 'Get':
        return { Item: items.get((input.Key as unknown as { jobId: string }).jobId) };
      case 'TransactWrite': {
        if (new Set(puts.map((p) => p.jobId)).size < puts.length)
          throw Object.assign(
            new Error('Transaction request cannot include multiple operations on one item'),
            {
              name: 'ValidationException',
            },
          );
        const codes = puts.map((p) => (items.has(p.jobId) ? 'ConditionalCheckFailed' : 'None'));
        if (codes.includes('ConditionalCheckFailed')) throw cancelled(codes);
        for (const p of puts) items.set(p.jobId, structuredClone(p));
        if (injected === 'apply-then-lose-answer') throw cancelled(puts.map(() => 'ConditionalCheckFailed'));
        return {};
      }
      default:
        throw new Error(`no stub for ${operation}`);
    }
  };
  const client = { send } as unknown as DynamoDBDocumentClient;
  return { store: new DynamoDbJobStore(client, 'jobs'), items, sent, cancelled };
}

const submitted = (jobId: string, requestHash = `hash-${jobId}`): JobRecord => ({
  ...record('SUBMITTED', { jobId }),
  requestHash,
});
const values = (results: PromiseSettledResult<Created>[]) =>
  results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));

describe('DynamoDbJobStore.createAll', () => {
  it('all new: one transaction of conditional puts, every record created', async () => {
    const t = table();
    const results = await t.store.createAll(['a', 'b', 'c'].map((id) => submitted(id)));
    assert.deepEqual(values(results), [{ created: true }, { created: true }, { created: true }]);
    assert.deepEqual(t.sent, ['TransactWriteItems x3']);
    assert.deepEqual([...t.items.keys()], ['a', 'b', 'c']);
    assert.ok(t.items.get('a')?.lastWriteId, 'stamped as a create stamps it');
  });

  it('one record: a plain conditional put, no transaction', async () => {
    const t = table();
    assert.deepEqual(values(await t.store.createAll([submitted('a')])), [{ created: true }]);
    assert.deepEqual(t.sent, ['Put']);
  });

  it('some existing: those are read and returned, the rest written in a second transaction', async () => {
    const t = table();
    t.items.set('b', { ...submitted('b', 'other'), lastWriteId: 'someone-else' });
    const results = values(await t.store.createAll(['a', 'b', 'c'].map((id) => submitted(id))));
    assert.deepEqual(results[0], { created: true });
    assert.equal((results[1] as Created).created, false);
    assert.equal((results[1] as { existing: JobRecord }).existing.requestHash, 'other');
    assert.deepEqual(results[2], { created: true });
    assert.deepEqual(t.sent, ['TransactWriteItems x3', 'TransactWriteItems x2', 'Get']);
    assert.equal(t.items.get('b')?.lastWriteId, 'someone-else', 'the existing record is left as it is');
  });

  it('a jobId twice in the batch: the first goes in the transaction, the second then finds it', async () => {
    const t = table();
    const results = values(
      await t.store.createAll([submitted('a'), submitted('b'), submitted('a', 'again')]),
    );
    assert.deepEqual(results.slice(0, 2), [{ created: true }, { created: true }]);
    const second = results[2] as { created: false; existing: JobRecord };
    assert.equal(second.created, false);
    assert.equal(second.existing.requestHash, 'hash-a', 'the first occurrence is the record stored');
    assert.deepEqual(t.sent, ['TransactWriteItems x2', 'Put', 'Get']);
  });

  it('throttled transactions: tried twice, then each record alone, a failure failing its record only', async () => {
    const t = table((operation, input) => {
      if (operation === 'TransactWrite')
        return t.cancelled((input.TransactItems ?? []).map(() => 'ThrottlingError'));
      if (operation === 'Put' && input.Item?.jobId === 'b')
        return Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
      return undefined;
    });
    const results = await t.store.createAll(['a', 'b', 'c'].map((id) => submitted(id)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.match(String((results[1] as PromiseRejectedResult).reason), /Rate exceeded/);
    assert.deepEqual(t.sent, ['TransactWriteItems x3', 'TransactWriteItems x3', 'Put', 'Put', 'Put']);
    assert.deepEqual([...t.items.keys()].sort(), ['a', 'c']);
  });

  it('a conflict with another transaction is tried again once, and then applies', async () => {
    let conflicts = 1;
    const t = table((operation, input) =>
      operation === 'TransactWrite' && conflicts-- > 0
        ? t.cancelled((input.TransactItems ?? []).map((_, i) => (i === 0 ? 'TransactionConflict' : 'None')))
        : undefined,
    );
    const results = await t.store.createAll([submitted('a'), submitted('b')]);
    assert.deepEqual(values(results), [{ created: true }, { created: true }]);
    assert.deepEqual(t.sent, ['TransactWriteItems x2', 'TransactWriteItems x2']);
  });

  it('a transaction that fails outright fails its records, which are left for redelivery', async () => {
    const t = table((operation) =>
      operation === 'TransactWrite'
        ? Object.assign(new Error('socket hang up'), { name: 'TimeoutError' })
        : undefined,
    );
    const results = await t.store.createAll([submitted('a'), submitted('b')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.equal(t.items.size, 0);
  });

  it("the SDK's retry of a transaction that had applied finds its own writes: created, not existing", async () => {
    let lose = true;
    const t = table((operation) => {
      if (operation !== 'TransactWrite' || !lose) return undefined;
      lose = false;
      return 'apply-then-lose-answer';
    });
    const results = await t.store.createAll([submitted('a'), submitted('b')]);
    assert.deepEqual(values(results), [{ created: true }, { created: true }]);
    assert.deepEqual(t.sent, ['TransactWriteItems x2', 'Get', 'Get']);
  });

  it('the same for a put made alone', async () => {
    const t = table((operation) => (operation === 'Put' ? 'apply-then-lose-answer' : undefined));
    assert.deepEqual(values(await t.store.createAll([submitted('a')])), [{ created: true }]);
    assert.deepEqual(t.sent, ['Put', 'Get']);
  });
});
