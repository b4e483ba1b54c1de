import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '../../core/job/record.ts';
import { type JobState, RESYNC_STATES } from '../../core/job/state.ts';
import type { ActiveEntry, CallOptions, JobReader, QueueEntry } from '../../core/ports.ts';
import { JOBS_TABLE } from '../../resources.ts';
import { batchGetJobs } from './batch-get.ts';
import { abortSignalOf, dynamoCall } from './client.ts';
import { ACTIVE_ATTRIBUTES, QUEUE_ATTRIBUTES } from './index-attributes.ts';

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

/** A ProjectionExpression of the given attributes, with its names. */
function projectionOf(attributes: readonly string[], prefix: string): Partial<QueryCommandInput> {
  const names = Object.fromEntries(attributes.map((a, n) => [`#${prefix}${n}`, a]));
  return { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names };
}

/** Only the given attributes of an item (an index item holds more than a reader keeps). */
function pick<T>(item: Record<string, unknown>, attributes: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const a of attributes) if (item[a] !== undefined) out[a] = item[a];
  return out as T;
}

/** What a listing needs of an index item: the record's key, and the sort key to merge shards by. */
const LISTING_KEYS = ['jobId', 'updatedAt'];

/**
 * The read side of the jobs table, for users, tests and tools (docs/queries.md):
 * - one job by id (GetItem on the table's key `jobId`);
 * - many jobs by id (BatchGetItem, 100 keys a call);
 * - an owner's jobs newest first (index `byOwner`: owner, createdAt; descending; keys only), paged;
 * - the jobs in a state (index `byStatus`: `STATE#n`, updatedAt), which fans out over the shards so
 *   that a busy state is no hot partition.
 * The indexes hold few attributes (JOBS_TABLE), so the listings read their records by key; the
 * resync's and admission's scans (scanActive, scanQueue) read the index items alone.
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

  /**
   * An owner's jobs, newest first, `limit` a page; pass the returned cursor for the next page. The
   * index holds keys only: the page's records are read by key (a record gone since is left out).
   */
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
    const ids = (out.Items ?? []).map((item) => item.jobId as string);
    const records = await this.getJobs(ids);
    return {
      items: ids.flatMap((id) => records.get(id) ?? []),
      cursor: encodeCursor(out.LastEvaluatedKey),
    };
  }

  /**
   * The `limit` most recently updated jobs in a state: the newest `limit` ids of every shard, merged,
   * then their records read by key. A record that has left the state since the index was read is
   * left out, so a listing may hold fewer. For every job in a state, iterate with `scanState`.
   */
  async listByState(state: JobState, options: { limit?: number } = {}): Promise<JobRecord[]> {
    const limit = options.limit ?? 50;
    const keysOnly = projectionOf(LISTING_KEYS, 'k');
    const perShard = await Promise.all(
      shardKeys(state).map(async (shard) => {
        const page = await this.queryShard(shard, { Limit: limit, ScanIndexForward: false, ...keysOnly });
        return page.items;
      }),
    );
    const newest = perShard
      .flat()
      .sort((a, b) => String(b.updatedAt).localeCompare(String(a.updatedAt)))
      .slice(0, limit);
    const records = await this.getJobs(newest.map((item) => item.jobId as string));
    return [...records.values()]
      .filter((r) => r.state === state)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }

  /**
   * Every job in a state, shard after shard, page after page (at most `maxPages` in all): each page's
   * ids from the index, their records read by key (those still in the state).
   */
  async *scanState(state: JobState, maxPages = 10_000, call?: CallOptions): AsyncGenerator<JobRecord> {
    let pages = 0;
    const keysOnly = projectionOf(LISTING_KEYS, 'k');
    for (const shard of shardKeys(state)) {
      let start: Record<string, unknown> | undefined;
      do {
        if (++pages > maxPages) throw new Error(`scanState(${state}) read more than ${maxPages} pages`);
        const page = await this.queryShard(shard, { ExclusiveStartKey: start, ...keysOnly }, call);
        const ids = page.items.map((item) => item.jobId as string);
        const records = await this.getJobs(ids, call);
        for (const id of ids) {
          const record = records.get(id);
          if (record?.state === state) yield record;
        }
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
    const projection = projectionOf(QUEUE_ATTRIBUTES, 'q');
    for (const shard of shardKeys('QUEUED')) {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await this.queryShard(shard, { ExclusiveStartKey: start, ...projection }, call);
        yield* page.items as QueueEntry[];
        start = page.lastKey;
      } while (start);
    }
  }

  /**
   * Every active job but the queued ones (RESYNC_STATES: SUBMITTED, PENDING, RUNNING) as the status
   * index holds it, each kept to ACTIVE_ATTRIBUTES: the resync's read, a few hundred bytes a job. No
   * ProjectionExpression: a Query is billed by the index items it reads whatever it returns, and the
   * index's items are small already.
   */
  async *scanActive(call?: CallOptions): AsyncGenerator<ActiveEntry> {
    for (const state of RESYNC_STATES) {
      for (const shard of shardKeys(state)) {
        let start: Record<string, unknown> | undefined;
        do {
          const page = await this.queryShard(shard, { ExclusiveStartKey: start }, call);
          for (const item of page.items) yield pick<ActiveEntry>(item, ACTIVE_ATTRIBUTES);
          start = page.lastKey;
        } while (start);
      }
    }
  }

  private async queryShard(
    shard: string,
    extra: Partial<QueryCommandInput>,
    call?: CallOptions,
  ): Promise<{ items: Record<string, unknown>[]; lastKey?: Record<string, unknown> }> {
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
    return { items: out.Items ?? [], lastKey: out.LastEvaluatedKey };
  }
}

export type { ActiveEntry, QueueEntry };
export { ACTIVE_ATTRIBUTES, QUEUE_ATTRIBUTES };
