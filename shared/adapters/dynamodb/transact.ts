import { randomUUID } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../core/job/record.ts';
import type { CallOptions } from '../../core/ports.ts';
import { abortSignalOf, dynamoCall } from './client.ts';

/**
 * Why a transaction of a record's put and its counters' updates did not apply: the record's
 * condition, a counter's, or a conflict with another transaction on the same items.
 */
export type Cancelled = 'record' | 'limit' | 'conflict';

/**
 * The record's put, conditional on its version as every replace is, and the counters' updates,
 * in one TransactWriteItems: all or nothing. Undefined when it applied; otherwise which condition
 * failed first: the record's (another writer was first) or a counter's (a quota is full).
 * `lastWriteId` doubles as the idempotency token, so that the SDK's retry of a transaction that
 * had applied is answered as applied.
 */
export function putWithCounters(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: JobRecord,
  updates: Record<string, unknown>[],
  call?: CallOptions,
): Promise<Cancelled | undefined> {
  return putAllWithCounters(client, tableName, [item], updates, call);
}

/** The same for several records at once (admission's batches): every put and every update, or none. */
export async function putAllWithCounters(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly JobRecord[],
  updates: Record<string, unknown>[],
  call?: CallOptions,
): Promise<Cancelled | undefined> {
  const puts = items.map((item) => ({
    Put: {
      TableName: tableName,
      Item: item,
      ConditionExpression: '#version = :expected',
      ExpressionAttributeNames: { '#version': 'version' },
      ExpressionAttributeValues: { ':expected': item.version - 1 },
    },
  }));
  try {
    await dynamoCall(
      'TransactWriteItems',
      tableName,
      { jobId: items[0]?.jobId, keys: puts.length + updates.length },
      () =>
        client.send(
          new TransactWriteCommand({
            ClientRequestToken: items[0]?.lastWriteId,
            TransactItems: [...puts, ...updates.map((update) => ({ Update: update as never }))],
          }),
          abortSignalOf(call),
        ),
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
    if (codes.slice(0, puts.length).includes('ConditionalCheckFailed')) return 'record';
    return codes.includes('ConditionalCheckFailed') ? 'limit' : 'conflict';
  }
}

/**
 * New records' puts, each conditional on `attribute_not_exists(jobId)` as a create's put is, in one
 * TransactWriteItems (distinct jobIds: a transaction may not name an item twice). Undefined when it
 * applied; otherwise each item's cancellation code, in order (`ConditionalCheckFailed`: the record
 * exists; `None`: cancelled for another item; a throttle or a conflict: worth another try).
 * A token per attempt makes the SDK's retry of a transaction that had applied an answer of success;
 * a later try with fewer items is another request, so it gets another token.
 */
export async function putAllNew(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly JobRecord[],
  call?: CallOptions,
): Promise<(string | undefined)[] | undefined> {
  try {
    await dynamoCall(
      'TransactWriteItems',
      tableName,
      { jobIds: items.map((item) => item.jobId), keys: items.length },
      () =>
        client.send(
          new TransactWriteCommand({
            ClientRequestToken: randomUUID(),
            TransactItems: items.map((Item) => ({
              Put: { TableName: tableName, Item, ConditionExpression: 'attribute_not_exists(jobId)' },
            })),
          }),
          abortSignalOf(call),
        ),
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    return items.map((_, i) => error.CancellationReasons?.[i]?.Code);
  }
}
