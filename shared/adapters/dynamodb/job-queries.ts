import {
  BatchGetCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../core/job/record.ts';
import { ACTIVE_STATES, type JobState } from '../../core/job/state.ts';
import { JOBS_TABLE } from '../../resources.ts';

/** A page of records and the cursor of the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

const BATCH_GET_LIMIT = 100;
const MAX_BATCH_ROUNDS = 8;

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  return cursor
    ? (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>)
    : undefined;
}

export function shardKeys(state: JobState): string[] {
  return Array.from({ length: JOBS_TABLE.statusShards }, (_, n) => `${state}#${n}`);
}

/**
 * The read side of the jobs table, for users, tests and tools (docs/queries.md):
 * - one job by id (GetItem on the table's key `jobId`);
 * - many jobs by id (BatchGetItem, 100 keys a call);
 * - an owner's jobs newest first (index `byOwner`: owner, createdAt; descending), paged;
 * - the jobs in a state, or all active jobs (index `byStatus`: `STATE#n`, updatedAt), which
 *   fans out over the shards so that a busy state is no hot partition.
 */
export class DynamoDbJobQueries {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  /** DynamoDB calls made, for the reconciler's metrics and the benchmark. */
  readonly counters = { calls: 0 };

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async getJob(jobId: string, consistent = true): Promise<JobRecord | undefined> {
    this.counters.calls++;
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { jobId }, ConsistentRead: consistent }),
    );
    return out.Item as JobRecord | undefined;
  }

  /** The records of the given ids that exist; unprocessed keys are asked for again (bounded). */
  async getJobs(jobIds: readonly string[], consistent = true): Promise<Map<string, JobRecord>> {
    const found = new Map<string, JobRecord>();
    const unique = [...new Set(jobIds)];
    for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
      let keys: Record<string, unknown>[] = unique.slice(i, i + BATCH_GET_LIMIT).map((jobId) => ({ jobId }));
      for (let round = 0; keys.length > 0; round++) {
        if (round >= MAX_BATCH_ROUNDS) throw new Error(`BatchGetItem left ${keys.length} keys unprocessed`);
        this.counters.calls++;
        const out = await this.client.send(
          new BatchGetCommand({
            RequestItems: { [this.tableName]: { Keys: keys, ConsistentRead: consistent } },
          }),
        );
        for (const item of out.Responses?.[this.tableName] ?? [])
          found.set((item as JobRecord).jobId, item as JobRecord);
        keys = (out.UnprocessedKeys?.[this.tableName]?.Keys as Record<string, unknown>[] | undefined) ?? [];
        if (keys.length > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** round));
      }
    }
    return found;
  }

  /** An owner's jobs, newest first, `limit` a page; pass the returned cursor for the next page. */
  async listByOwner(
    owner: string,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<JobRecord>> {
    this.counters.calls++;
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byOwner',
        KeyConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':owner': owner },
        ScanIndexForward: false,
        Limit: options.limit ?? 50,
        ExclusiveStartKey: decodeCursor(options.cursor),
      }),
    );
    return { items: (out.Items ?? []) as JobRecord[], cursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /**
   * The `limit` most recently updated jobs in a state: the newest `limit` of every shard,
   * merged. For every job in a state, iterate with `scanState`.
   */
  async listByState(state: JobState, options: { limit?: number } = {}): Promise<JobRecord[]> {
    const limit = options.limit ?? 50;
    const perShard = await Promise.all(
      shardKeys(state).map(async (shard) => {
        const page = await this.queryShard(shard, { Limit: limit, ScanIndexForward: false });
        return page.items;
      }),
    );
    return perShard
      .flat()
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
      .slice(0, limit);
  }

  /** Every job in a state, shard after shard, page after page (at most `maxPages` in all). */
  async *scanState(state: JobState, maxPages = 10_000): AsyncGenerator<JobRecord> {
    let pages = 0;
    for (const shard of shardKeys(state)) {
      let start: Record<string, unknown> | undefined;
      do {
        if (++pages > maxPages) throw new Error(`scanState(${state}) read more than ${maxPages} pages`);
        const page = await this.queryShard(shard, { ExclusiveStartKey: start });
        yield* page.items;
        start = page.lastKey;
      } while (start);
    }
  }

  /** Every active job (SUBMITTED, PENDING, RUNNING). */
  async *scanActive(): AsyncGenerator<JobRecord> {
    for (const state of ACTIVE_STATES) yield* this.scanState(state);
  }

  private async queryShard(
    shard: string,
    extra: Partial<QueryCommandInput>,
  ): Promise<{ items: JobRecord[]; lastKey?: Record<string, unknown> }> {
    this.counters.calls++;
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: 'byStatus',
        KeyConditionExpression: '#shard = :shard',
        ExpressionAttributeNames: { '#shard': 'statusShard' },
        ExpressionAttributeValues: { ':shard': shard },
        ...extra,
      }),
    );
    return { items: (out.Items ?? []) as JobRecord[], lastKey: out.LastEvaluatedKey };
  }
}
