import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../core/job/record.ts';
import { type JobState, RESYNC_STATES } from '../../core/job/state.ts';
import type { CallOptions, JobReader, QueueEntry } from '../../core/ports.ts';
import { JOBS_TABLE } from '../../resources.ts';
import { batchGetJobs } from './batch-get.ts';
import { abortSignalOf, dynamoCall } from './client.ts';

/** A read bounded by a deadline; consistent unless said otherwise. */
type ReadOptions = CallOptions & { consistent?: boolean };

/** A page of records and the cursor of the next page (absent on the last page). */
export interface Page<T> {
  items: T[];
  cursor?: string;
}

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
export class DynamoDbJobQueries implements JobReader {
  private readonly client: DynamoDBDocumentClient;
  private readonly tableName: string;
  /** DynamoDB calls made, for the reconciler's metrics and the benchmark. */
  readonly counters = { calls: 0 };
  private readonly count = (): void => {
    this.counters.calls++;
  };

  constructor(client: DynamoDBDocumentClient, tableName: string) {
    this.client = client;
    this.tableName = tableName;
  }

  async getJob(jobId: string, options: ReadOptions = {}): Promise<JobRecord | undefined> {
    this.counters.calls++;
    const out = await dynamoCall('GetItem', this.tableName, { jobId }, () =>
      this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { jobId },
          ConsistentRead: options.consistent ?? true,
        }),
        abortSignalOf(options),
      ),
    );
    return out.Item as JobRecord | undefined;
  }

  /** The records of the given ids that exist. */
  async getJobs(jobIds: readonly string[], options: ReadOptions = {}): Promise<Map<string, JobRecord>> {
    const items = await batchGetJobs<JobRecord>(this.client, this.tableName, jobIds, {
      consistent: options.consistent ?? true,
      onCall: this.count,
      call: options,
    });
    return new Map(items.map((item) => [item.jobId, item]));
  }

  /** The states of the given ids that exist, in one consistent read per 100 (submit's cancel check). */
  async getStates(jobIds: readonly string[], call?: CallOptions): Promise<Map<string, JobState>> {
    const items = await batchGetJobs<Pick<JobRecord, 'jobId' | 'state'>>(
      this.client,
      this.tableName,
      jobIds,
      { attributes: ['jobId', 'state'], onCall: this.count, call },
    );
    return new Map(items.map((item) => [item.jobId, item.state]));
  }

  /** An owner's jobs, newest first, `limit` a page; pass the returned cursor for the next page. */
  async listByOwner(
    owner: string,
    options: { limit?: number; cursor?: string } = {},
  ): Promise<Page<JobRecord>> {
    this.counters.calls++;
    const out = await dynamoCall('Query', this.tableName, { index: 'byOwner' }, () =>
      this.client.send(
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
      ),
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
  async *scanState(state: JobState, maxPages = 10_000, call?: CallOptions): AsyncGenerator<JobRecord> {
    let pages = 0;
    for (const shard of shardKeys(state)) {
      let start: Record<string, unknown> | undefined;
      do {
        if (++pages > maxPages) throw new Error(`scanState(${state}) read more than ${maxPages} pages`);
        const page = await this.queryShard(shard, { ExclusiveStartKey: start }, call);
        yield* page.items;
        start = page.lastKey;
      } while (start);
    }
  }

  /**
   * The admission queue: every QUEUED record, with only what ordering it needs (QUEUE_ATTRIBUTES):
   * a fraction of each item to read and to send. Admission reads the full records of the few it
   * then writes.
   */
  async *scanQueue(call?: CallOptions): AsyncGenerator<QueueEntry> {
    const names = Object.fromEntries(QUEUE_ATTRIBUTES.map((a, n) => [`#q${n}`, a]));
    const projection = {
      ProjectionExpression: Object.keys(names).join(', '),
      ExpressionAttributeNames: names,
    };
    for (const shard of shardKeys('QUEUED')) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.queryShard(shard, { ExclusiveStartKey: start, ...projection }, call);
        yield* page.items as QueueEntry[];
        start = page.lastKey;
      } while (start);
    }
  }

  /** Every active job but the queued ones (RESYNC_STATES: SUBMITTED, PENDING, RUNNING): the resync's read. */
  async *scanActive(call?: CallOptions): AsyncGenerator<JobRecord> {
    for (const state of RESYNC_STATES) yield* this.scanState(state, undefined, call);
  }

  private async queryShard(
    shard: string,
    extra: Partial<QueryCommandInput>,
    call?: CallOptions,
  ): Promise<{ items: JobRecord[]; lastKey?: Record<string, unknown> }> {
    this.counters.calls++;
    const out = await dynamoCall('Query', this.tableName, { index: 'byStatus' }, () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: 'byStatus',
          KeyConditionExpression: '#shard = :shard',
          ExpressionAttributeValues: { ':shard': shard },
          ...extra,
          ExpressionAttributeNames: { ...extra.ExpressionAttributeNames, '#shard': 'statusShard' },
        }),
        abortSignalOf(call),
      ),
    );
    return { items: (out.Items ?? []) as JobRecord[], lastKey: out.LastEvaluatedKey };
  }
}

/** What admission orders the queue by (core/admission/plan.ts reads no other field). */
export const QUEUE_ATTRIBUTES = [
  'jobId',
  'owner',
  'namespace',
  'state',
  'version',
  'reason',
  'message',
  'createdAt',
  'admission',
  'suspension',
] as const satisfies readonly (keyof JobRecord)[];

export type { QueueEntry };
