import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { releasesCharge } from '../../core/admission/types.ts';
import { fitToBudget } from '../../core/job/budget.ts';
import type { JobRecord } from '../../core/job/record.ts';
import type { CallOptions, Created, JobStore } from '../../core/ports.ts';
import { abortSignalOf, dynamoCall } from './client.ts';
import { itemBytes } from './item-size.ts';
import { putAllNew, putWithCounters } from './transact.ts';
import { usageUpdate } from './usage-items.ts';

/** Transactions a createAll tries before the records left are written one by one. */
const TRANSACTION_ROUNDS = 2;

/**
 * The JobStore port on DynamoDB. Every write is a conditional PutItem:
 * - create: `attribute_not_exists(jobId)`; on conflict (a redelivery, rare) one consistent read
 *   returns the existing record;
 * - replace: `version = :expected` with expected = next.version - 1, so writers never regress;
 *   on a failed condition one consistent read tells a lost race from the SDK's retry of a put
 *   that had succeeded (then the write is ours).
 * - a replace that gives an admitted job's quota back (core/admission) is one transaction with the
 *   decrements of its usage counters, so that a counter never drifts from its records.
 * - createAll: a batch's creates as one TransactWriteItems of those same conditional puts.
 * Every item is first fitted to the record budget (core/job/budget.ts), measured marshalled.
 */
export class DynamoDbJobStore implements JobStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async create(record: JobRecord, call?: CallOptions): Promise<Created> {
    return this.putNew(stamped(record), call);
  }

  /**
   * A batch's new records in one transaction of their conditional puts (one request for up to 100,
   * where `create` makes one each). A cancelled transaction says which items failed their condition:
   * those exist and are read as `create` reads them; the rest are tried again in one more
   * transaction, then alone. Of records that share a jobId only the first is in a transaction (it
   * may not name an item twice); the others are created alone after it, and so find it.
   */
  async createAll(
    records: readonly JobRecord[],
    call?: CallOptions,
  ): Promise<PromiseSettledResult<Created>[]> {
    const items = records.map(stamped);
    const results: PromiseSettledResult<Created>[] = [];
    const settle = (indexes: number[], fn: (item: JobRecord) => Promise<Created>) =>
      Promise.allSettled(indexes.map((i) => fn(items[i] as JobRecord))).then((settled) =>
        settled.forEach((result, k) => {
          results[indexes[k] as number] = result;
        }),
      );
    const seen = new Set<string>();
    const later: number[] = [];
    let pending: number[] = [];
    items.forEach((item, i) => {
      (seen.has(item.jobId) ? later : pending).push(i);
      seen.add(item.jobId);
    });
    const existing: number[] = [];
    for (let round = 0; round < TRANSACTION_ROUNDS && pending.length > 1; round++) {
      let codes: (string | undefined)[] | undefined;
      try {
        codes = await putAllNew(
          this.client,
          this.tableName,
          pending.map((i) => items[i] as JobRecord),
          call,
        );
      } catch (error) {
        // Failed outright, the SDK's retries spent: its records fail (RetryLater), the others go on.
        await settle(pending, () => Promise.reject(error));
        pending = [];
        break;
      }
      if (!codes) {
        await settle(pending, async () => ({ created: true }));
        pending = [];
      } else {
        const found = pending.filter((_, k) => codes[k] === 'ConditionalCheckFailed');
        existing.push(...found);
        pending = pending.filter((i) => !found.includes(i));
      }
    }
    await Promise.all([
      settle(existing, (item) => this.existing(item, call)),
      // Left by the transactions (throttled, in conflict) or alone: each as a create, failing alone.
      settle(pending, (item) => this.putNew(item, call)),
    ]);
    await settle(later, (item) => this.putNew(item, call));
    return results;
  }

  /** The conditional put of a stamped record; when its condition fails, the record stored. */
  private async putNew(item: JobRecord, call?: CallOptions): Promise<Created> {
    try {
      await dynamoCall('PutItem', this.tableName, { jobId: item.jobId }, () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(jobId)',
          }),
          abortSignalOf(call),
        ),
      );
      return { created: true };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return this.existing(item, call);
    }
  }

  /** After a failed create condition: the record stored, unless the write stored was this one. */
  private async existing(item: JobRecord, call?: CallOptions): Promise<Created> {
    const existing = await this.get(item.jobId, call);
    // The item existed a moment ago; it can only vanish by TTL. Then a retry creates it.
    if (!existing) throw new Error(`job ${item.jobId} vanished between a failed create and its read`);
    // The SDK retried a write whose first attempt had succeeded (its answer was lost): ours.
    if (existing.lastWriteId === item.lastWriteId) return { created: true };
    return { created: false, existing };
  }

  async get(jobId: string, call?: CallOptions): Promise<JobRecord | undefined> {
    const out = await dynamoCall('GetItem', this.tableName, { jobId }, () =>
      this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: true }),
        abortSignalOf(call),
      ),
    );
    return out.Item as JobRecord | undefined;
  }

  async replace(next: JobRecord, call?: CallOptions): Promise<boolean> {
    const item = stamped(next);
    if (releasesCharge(next)) return this.release(item, call);
    try {
      await dynamoCall('PutItem', this.tableName, { jobId: next.jobId }, () =>
        this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: item,
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': next.version - 1 },
          }),
          abortSignalOf(call),
        ),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Lost to another writer, unless the SDK retried a put whose first attempt had succeeded.
      const current = await this.get(next.jobId, call);
      return current?.lastWriteId === item.lastWriteId;
    }
  }

  private async release(item: JobRecord, call?: CallOptions): Promise<boolean> {
    const { charge, scopes } = item.admission as NonNullable<JobRecord['admission']>;
    const updates = scopes.map((scope) => usageUpdate(this.tableName, scope, charge, -1));
    const cancelled = await putWithCounters(this.client, this.tableName, item, updates, call);
    if (cancelled === undefined) return true;
    // A conflict with another transaction on a counter is transient: the caller's retry plans anew.
    const current = await this.get(item.jobId, call);
    return current?.lastWriteId === item.lastWriteId;
  }
}

/**
 * The item to put: fitted to the record budget, and stamped with an id of this write, which the
 * SDK's retries of the same put keep and any other writer's put does not.
 */
export function stamped(record: JobRecord): JobRecord {
  return { ...fitToBudget(record, itemBytes), lastWriteId: randomUUID() };
}
