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
export async function putWithCounters(
  client: DynamoDBDocumentClient,
  tableName: string,
  item: JobRecord,
  updates: Record<string, unknown>[],
  call?: CallOptions,
): Promise<Cancelled | undefined> {
  try {
    await dynamoCall('TransactWriteItems', tableName, { jobId: item.jobId, keys: updates.length + 1 }, () =>
      client.send(
        new TransactWriteCommand({
          ClientRequestToken: item.lastWriteId,
          TransactItems: [
            {
              Put: {
                TableName: tableName,
                Item: item,
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': item.version - 1 },
              },
            },
            ...updates.map((update) => ({ Update: update as never })),
          ],
        }),
        abortSignalOf(call),
      ),
    );
    return undefined;
  } catch (error) {
    if (!(error instanceof TransactionCanceledException)) throw error;
    const codes = (error.CancellationReasons ?? []).map((r) => r.Code);
    if (codes[0] === 'ConditionalCheckFailed') return 'record';
    return codes.includes('ConditionalCheckFailed') ? 'limit' : 'conflict';
  }
}
