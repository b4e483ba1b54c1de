import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { releasesCharge } from '../../core/admission/types.ts';
import { fitToBudget } from '../../core/job/budget.ts';
import type { JobRecord } from '../../core/job/record.ts';
import type { CallOptions, JobStore } from '../../core/ports.ts';
import { abortSignalOf, dynamoCall } from './client.ts';
import { itemBytes } from './item-size.ts';
import { putWithCounters } from './transact.ts';
import { usageUpdate } from './usage-items.ts';

/**
 * The JobStore port on DynamoDB. Every write is one conditional PutItem:
 * - create: `attribute_not_exists(jobId)`; on conflict (a redelivery, rare) one consistent read
 *   returns the existing record;
 * - replace: `version = :expected` with expected = next.version - 1, so writers never regress;
 *   on a failed condition one consistent read tells a lost race from the SDK's retry of a put
 *   that had succeeded (then the write is ours).
 * - a replace that gives an admitted job's quota back (core/admission) is one transaction with the
 *   decrements of its usage counters, so that a counter never drifts from its records.
 * Every item is first fitted to the record budget (core/job/budget.ts), measured marshalled.
 */
export class DynamoDbJobStore implements JobStore {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async create(
    record: JobRecord,
    call?: CallOptions,
  ): Promise<{ created: true } | { created: false; existing: JobRecord }> {
    const item = stamped(record);
    try {
      await dynamoCall('PutItem', this.tableName, { jobId: record.jobId }, () =>
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
      const existing = await this.get(record.jobId, call);
      // The item existed a moment ago; it can only vanish by TTL. Then a retry creates it.
      if (!existing) throw new Error(`job ${record.jobId} vanished between a failed create and its read`);
      // The SDK retried a put whose first attempt had succeeded (its answer was lost): ours.
      if (existing.lastWriteId === item.lastWriteId) return { created: true };
      return { created: false, existing };
    }
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
