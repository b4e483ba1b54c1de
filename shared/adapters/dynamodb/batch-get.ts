import { BatchGetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CallOptions } from '../../core/ports.ts';
import { abortSignalOf, dynamoCall } from './client.ts';

/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_LIMIT = 100;
/** Rounds of unprocessed keys asked for again before giving up. */
const MAX_ROUNDS = 8;

/**
 * Items by `jobId` in as few BatchGetItem calls as possible: 100 keys a call, the keys DynamoDB
 * left unprocessed asked for again with a backoff (bounded), consistent reads by default.
 * `onCall` counts the calls for metrics.
 */
export async function batchGetJobs<T = Record<string, unknown>>(
  client: DynamoDBDocumentClient,
  tableName: string,
  jobIds: readonly string[],
  options: { consistent?: boolean; attributes?: string[]; onCall?: () => void; call?: CallOptions } = {},
): Promise<T[]> {
  const items: T[] = [];
  const unique = [...new Set(jobIds)];
  const names = options.attributes && Object.fromEntries(options.attributes.map((a, n) => [`#a${n}`, a]));
  for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
    let keys: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_LIMIT).map((jobId) => ({ jobId }));
    for (let round = 0; keys.length > 0; round++) {
      if (round >= MAX_ROUNDS)
        throw new Error(`BatchGetItem left ${keys.length} keys unprocessed after ${round} rounds`);
      if (round > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      options.onCall?.();
      const request = {
        Keys: keys,
        ConsistentRead: options.consistent ?? true,
        ...(names && {
          ProjectionExpression: Object.keys(names).join(', '),
          ExpressionAttributeNames: names,
        }),
      };
      const out = await dynamoCall('BatchGetItem', tableName, { keys: keys.length }, () =>
        client.send(
          new BatchGetCommand({ RequestItems: { [tableName]: request } }),
          abortSignalOf(options.call),
        ),
      );
      items.push(...((out.Responses?.[tableName] ?? []) as T[]));
      keys = (out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
    }
  }
  return items;
}
