// The cost on paper (docs/cost.md), pure: what one job costs, counted per service and operation, and
// list prices in, daily and monthly cost per service out. test/bench/cost-counts.ts measures the counts
// on the local stack and writes them with this module's tables; the unit tests are
// test/unit/bench/cost-model.test.ts.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { indexItem } from '../../shared/adapters/dynamodb/index-item.ts';
import { itemBytes } from '../../shared/adapters/dynamodb/item-size.ts';
import { FUNCTIONS, JOBS_TABLE, type TableIndex } from '../../shared/resources.ts';
import { itemReadUnits, queryReadUnits } from './read-units.ts';

export type FunctionName = 'submit' | 'reconcile' | 'publish';
export const FUNCTION_NAMES: readonly FunctionName[] = ['submit', 'reconcile', 'publish'];

/** List prices, us-east-1, arm64 Lambda; where each was read and when: docs/cost.md, "Prices". */
export interface Prices {
  /** When the prices were read (YYYY-MM-DD). */
  asOf: string;
  region: string;
  lambdaRequestPerMillion: number;
  /** arm64, the first 7.5 billion GB-seconds a month. */
  lambdaArmGbSecond: number;
  dynamoWriteUnitPerMillion: number;
  dynamoReadUnitPerMillion: number;
  /** GetRecords by a Lambda event source mapping: free. */
  streamsLambdaReadPerMillion: number;
  /** Standard queue, the first 100 billion requests a month; a request is one 64 KB chunk. */
  sqsRequestPerMillion: number;
  /** Custom events put on a bus; an event is one 64 KB chunk. */
  eventBridgeEventPerMillion: number;
  /** Standard log class ingestion (Lambda logs: the first 10 TB a month). */
  logsIngestionPerGb: number;
  logsStoragePerGbMonth: number;
  /** The EKS control plane, standard support, per cluster-hour: fixed, not per job. */
  eksClusterHour: number;
}

export const PRICES_US_EAST_1: Prices = {
  asOf: '2026-06-18',
  region: 'us-east-1',
  lambdaRequestPerMillion: 0.2,
  lambdaArmGbSecond: 0.0000133334,
  dynamoWriteUnitPerMillion: 0.625,
  dynamoReadUnitPerMillion: 0.125,
  streamsLambdaReadPerMillion: 0,
  sqsRequestPerMillion: 0.4,
  eventBridgeEventPerMillion: 1.0,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  eksClusterHour: 0.1,
};

/** What one job costs, and what one reconcile invocation costs whatever the jobs. */
export interface CostCounts {
  /** Where the counts come from: "estimated from the code" or "measured: N jobs on the local stack". */
  source: string;
  perJob: {
    /** Invocations per job and billed milliseconds per invocation (submit, publish; reconcile: below). */
    lambda: Record<'submit' | 'publish', { invocations: number; billedMs: number }>;
    /** Write and read request units per job (transactions doubled, index writes included). */
    dynamoWriteUnits: number;
    dynamoReadUnits: number;
    /** Calls per job by operation, for the tables (`dynamodb:PutItem`, `sqs:ReceiveMessage`, ...). */
    calls: Record<string, number>;
    /** Billed SQS requests per job made by the event source (receives, deletes), producers not included. */
    sqsRequests: number;
    /** PutEvents entries per job. */
    events: number;
    /** Kubernetes API calls per job (create, pod LISTs, GETs, log reads, finalizer patches, watch events). */
    kubeCalls: number;
    /** Application log bytes per job, by function (Powertools at the deployed INFO level). */
    logBytes: Record<FunctionName, number>;
  };
  perReconcileInvocation: {
    /** Billed duration: the watch window plus the final flush. */
    billedMs: number;
    /** Kubernetes calls besides the resync's LIST pages: the limit=1 LISTs, the watch requests. */
    kubeCalls: number;
    logBytes: number;
  };
  /** Size of a job record when it is read (terminal, results included), bytes. */
  recordBytes: number;
}

/** The workload the counts are scaled to. */
/**
 * The counts read off the code, for a job that succeeds without admission (docs/cost.md explains
 * each): placeholders until test/bench/cost-counts.ts has measured them.
 */
export const ESTIMATED_COUNTS: CostCounts = {
  source: 'estimated from the code',
  perJob: {
    lambda: { submit: { invocations: 0.1, billedMs: 400 }, publish: { invocations: 0.5, billedMs: 100 } },
    // submit's create 2 KB × (table + 2 indexes) = 6; PENDING and RUNNING 2 KB × (table + byOwner +
    // byStatus delete and put) = 8 each; the terminal record with results and a log tail 4 KB × 4 = 16
    dynamoWriteUnits: 38,
    // submit's cancel check (1 consistent read), reconcile's BatchGets per watch batch (about 4 a job)
    dynamoReadUnits: 5,
    calls: {
      'dynamodb:PutItem': 4,
      'dynamodb:BatchGetItem': 1,
      'sqs:ReceiveMessage': 0.1,
      'sqs:DeleteMessageBatch': 0.1,
      'events:PutEvents': 0.3,
      'events:PutEvents entries': 3,
      'kube:create job': 1,
      'kube:list pods': 1,
      'kube:pod logs': 1,
      'kube:finalizer releases': 2,
      'kube:watch events': 10,
    },
    sqsRequests: 0.2,
    events: 3,
    kubeCalls: 5,
    logBytes: { submit: 300, reconcile: 200, publish: 200 },
  },
  perReconcileInvocation: { billedMs: 52_000, kubeCalls: 4, logBytes: 3000 },
  recordBytes: 3000,
};

export interface Workload {
  jobsPerDay: number;
  /** Submit to terminal, seconds: the active set is jobsPerDay / 86400 × this. */
  jobLifetimeSeconds: number;
  /** How long a finished Job stays in the cluster (the policy's TTL, default 3600 s): LISTed each resync. */
  jobTtlSeconds: number;
  namespaces: number;
  /** SendMessage requests a producer makes per job (1 unbatched, 0.1 in batches of 10). */
  producerRequestsPerJob: number;
  /** Idle long polls of the Lambda SQS pollers a day (5 pollers × 20 s waits: 21,600). */
  idleSqsPollsPerDay: number;
  /** START, END and REPORT lines of the Lambda platform, bytes per invocation. */
  platformLogBytesPerInvocation: number;
  logRetentionDays: number;
}

export const DEFAULT_WORKLOAD: Workload = {
  jobsPerDay: 1_000_000,
  jobLifetimeSeconds: 300,
  jobTtlSeconds: 3600,
  namespaces: 1,
  producerRequestsPerJob: 1,
  idleSqsPollsPerDay: 5 * 3 * 1440,
  platformLogBytesPerInvocation: 400,
  logRetentionDays: 30,
};

export const RECONCILES_PER_DAY = 86_400 / FUNCTIONS.reconcile.scheduleSeconds;
/** Jobs per LIST page (functions/reconcile/resync.ts). */
export const LIST_PAGE = 500;
const DAYS_PER_MONTH = 30;
const GB = 1e9;

export interface CostRow {
  service: string;
  /** What is counted, e.g. "GB-s", "WRU". */
  unit: string;
  unitsPerDay: number;
  usdPerDay: number;
  usdPerMonth: number;
  note: string;
}

/** The steady-state sets: active records (resync reads) and Jobs in the cluster (resync LISTs). */
export function steadyState(workload: Workload): {
  activeJobs: number;
  listedJobs: number;
  pagesPerResync: number;
} {
  const perSecond = workload.jobsPerDay / 86_400;
  const activeJobs = perSecond * workload.jobLifetimeSeconds;
  const listedJobs = perSecond * (workload.jobLifetimeSeconds + workload.jobTtlSeconds);
  const pagesPerResync =
    workload.namespaces * Math.max(1, Math.ceil(listedJobs / workload.namespaces / LIST_PAGE));
  return { activeJobs, listedJobs, pagesPerResync };
}

/**
 * Read units of one resync's scan of the active records: SUBMITTED, PENDING and RUNNING, each over
 * STATUS_SHARDS shards of the (eventually consistent) status index; a Query is rounded up to 4 KB.
 */
export function resyncReadUnits(activeJobs: number, recordBytes: number): number {
  const shards = 3 * JOBS_TABLE.statusShards;
  const perShardBytes = (activeJobs * recordBytes) / shards;
  return shards * 0.5 * Math.max(1, Math.ceil(perShardBytes / 4096));
}

export function dailyCost(
  counts: CostCounts,
  workload: Workload = DEFAULT_WORKLOAD,
  prices: Prices = PRICES_US_EAST_1,
): CostRow[] {
  const jobs = workload.jobsPerDay;
  const { activeJobs, pagesPerResync } = steadyState(workload);
  const row = (
    service: string,
    unit: string,
    unitsPerDay: number,
    usdPerDay: number,
    note: string,
  ): CostRow => ({
    service,
    unit,
    unitsPerDay,
    usdPerDay,
    usdPerMonth: usdPerDay * DAYS_PER_MONTH,
    note,
  });
  const rows: CostRow[] = [];
  const invocations: Record<FunctionName, number> = {
    submit: jobs * counts.perJob.lambda.submit.invocations,
    reconcile: RECONCILES_PER_DAY,
    publish: jobs * counts.perJob.lambda.publish.invocations,
  };
  const gbSeconds: Record<FunctionName, number> = {
    submit: gbs('submit', invocations.submit * counts.perJob.lambda.submit.billedMs),
    reconcile: gbs('reconcile', RECONCILES_PER_DAY * counts.perReconcileInvocation.billedMs),
    publish: gbs('publish', invocations.publish * counts.perJob.lambda.publish.billedMs),
  };
  for (const name of FUNCTION_NAMES) {
    rows.push(
      row(
        `Lambda ${name} duration`,
        'GB-s',
        gbSeconds[name],
        gbSeconds[name] * prices.lambdaArmGbSecond,
        `${FUNCTIONS[name].memoryMb} MB, ${fmt(invocations[name])} invocations`,
      ),
    );
  }
  const requests = FUNCTION_NAMES.reduce((sum, name) => sum + invocations[name], 0);
  rows.push(
    row(
      'Lambda requests',
      'requests',
      requests,
      perMillion(requests, prices.lambdaRequestPerMillion),
      'all three functions',
    ),
  );

  const wru = jobs * counts.perJob.dynamoWriteUnits;
  rows.push(
    row(
      'DynamoDB writes',
      'WRU',
      wru,
      perMillion(wru, prices.dynamoWriteUnitPerMillion),
      'on-demand; transactions ×2; the indexes as projected (v1.3: byStatus INCLUDE, byOwner keys only)',
    ),
  );
  const resync = RECONCILES_PER_DAY * resyncReadUnits(activeJobs, counts.recordBytes);
  const rru = jobs * counts.perJob.dynamoReadUnits + resync;
  rows.push(
    row(
      'DynamoDB reads',
      'RRU',
      rru,
      perMillion(rru, prices.dynamoReadUnitPerMillion),
      `of which resync ${fmt(resync)} (${fmt(activeJobs)} active records)`,
    ),
  );
  const streamReads = invocations.publish;
  rows.push(
    row(
      'DynamoDB Streams',
      'GetRecords',
      streamReads,
      perMillion(streamReads, prices.streamsLambdaReadPerMillion),
      'read by Lambda: free',
    ),
  );

  const sqs =
    jobs * (counts.perJob.sqsRequests + workload.producerRequestsPerJob) + workload.idleSqsPollsPerDay;
  rows.push(
    row(
      'SQS',
      'requests',
      sqs,
      perMillion(sqs, prices.sqsRequestPerMillion),
      'receives, deletes, producers’ sends, idle polls',
    ),
  );

  const events = jobs * counts.perJob.events;
  rows.push(
    row(
      'EventBridge',
      'events',
      events,
      perMillion(events, prices.eventBridgeEventPerMillion),
      'one per transition, under 64 KB',
    ),
  );

  const logBytes =
    jobs * FUNCTION_NAMES.reduce((sum, name) => sum + counts.perJob.logBytes[name], 0) +
    RECONCILES_PER_DAY * counts.perReconcileInvocation.logBytes +
    requests * workload.platformLogBytesPerInvocation;
  const logGb = logBytes / GB;
  const stored = logGb * workload.logRetentionDays;
  rows.push(
    row(
      'CloudWatch Logs',
      'GB',
      logGb,
      logGb * prices.logsIngestionPerGb + (stored * prices.logsStoragePerGbMonth) / DAYS_PER_MONTH,
      `ingestion, and ${fmt(stored)} GB kept ${workload.logRetentionDays} days`,
    ),
  );

  const kube =
    jobs * counts.perJob.kubeCalls +
    RECONCILES_PER_DAY * (counts.perReconcileInvocation.kubeCalls + pagesPerResync);
  rows.push(
    row('Kubernetes API', 'calls', kube, 0, `${fmt(kube / 86_400)}/s; ${pagesPerResync} LIST pages a resync`),
  );
  rows.push(
    row('EKS control plane', 'cluster-hours', 24, 24 * prices.eksClusterHour, 'fixed, whatever the jobs'),
  );
  return rows;
}

export function totalPerDay(rows: CostRow[]): number {
  return rows.reduce((sum, r) => sum + r.usdPerDay, 0);
}

/** The rows as a Markdown table, as docs/cost.md shows them. */
export function costTable(rows: CostRow[]): string {
  const lines = [
    '| Service | Units a day | Unit | $ a day | $ a month (30 d) | Note |',
    '| --- | ---: | --- | ---: | ---: | --- |',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.service} | ${fmt(r.unitsPerDay)} | ${r.unit} | ${usd(r.usdPerDay)} | ${usd(r.usdPerMonth)} | ${r.note} |`,
    );
  const total = totalPerDay(rows);
  lines.push(`| **Total** | | | **${usd(total)}** | **${usd(total * DAYS_PER_MONTH)}** | |`);
  return lines.join('\n');
}

/** The calls per job by operation as a Markdown table. */
export function callsTable(counts: CostCounts): string {
  const lines = ['| Operation | Calls per job |', '| --- | ---: |'];
  for (const [operation, n] of Object.entries(counts.perJob.calls).sort())
    lines.push(`| ${operation} | ${round(n)} |`);
  return lines.join('\n');
}

// --- Capacity units of one DynamoDB call, from what went over the wire ---------------------------

export interface Capacity {
  writeUnits: number;
  readUnits: number;
}

type Json = Record<string, unknown>;
type Item = Record<string, AttributeValue>;

/** The size DynamoDB counts for a marshalled item (shared/adapters/dynamodb/item-size.ts). */
export function marshalledBytes(item: Item): number {
  return itemBytes(unmarshall(item));
}

const KB = 1024;
const units = (bytes: number, per: number) => Math.max(1, Math.ceil(bytes / per));

/**
 * Write units of putting `item`: the table's, plus each index's for the item it keeps there (its keys
 * and what it projects: shared/adapters/dynamodb/index-item.ts). A new item writes each index once; a
 * replaced one deletes and puts where the index key changed, which for byStatus it always does
 * (updatedAt is its sort key), rewrites in place where a projected attribute may have changed
 * (INCLUDE), and writes nothing to a keys-only index whose keys stay (byOwner).
 */
export function putWriteUnits(
  item: Item,
  created: boolean,
  indexes: readonly TableIndex[] = JOBS_TABLE.indexes,
): number {
  const plain = unmarshall(item);
  let total = units(itemBytes(plain), KB);
  for (const index of indexes) {
    const kept = indexItem(plain, index);
    if (!kept) continue;
    const size = units(itemBytes(kept), KB);
    const keyChanges = index.sortKey.name === 'updatedAt' || index.partitionKey.name === 'statusShard';
    if (created) total += size;
    else if (keyChanges) total += 2 * size;
    else if (index.projection.type !== 'KEYS_ONLY') total += size;
  }
  return total;
}

/** The capacity one call consumed: its operation (`DynamoDB_20120810.PutItem`), request and answer. */
export function capacityOf(
  operation: string,
  request: Json | undefined,
  response: Json | undefined,
): Capacity {
  const name = operation.split('.').pop() ?? '';
  const none = { writeUnits: 0, readUnits: 0 };
  if (!request) return none;
  const readUnits = (item: Item | undefined, consistent: boolean) =>
    itemReadUnits(item ? marshalledBytes(item) : 0, consistent);
  switch (name) {
    case 'PutItem': {
      const created = String(request.ConditionExpression ?? '').includes('attribute_not_exists');
      return { writeUnits: putWriteUnits(request.Item as Item, created), readUnits: 0 };
    }
    case 'TransactWriteItems': {
      let writeUnits = 0;
      for (const entry of (request.TransactItems as Json[] | undefined) ?? []) {
        const put = entry.Put as Json | undefined;
        if (put) {
          const item = put.Item as Item;
          const created = String(put.ConditionExpression ?? '').includes('attribute_not_exists');
          const table = units(marshalledBytes(item), KB);
          // The table's write is transactional (×2); the index writes are not.
          writeUnits += 2 * table + (putWriteUnits(item, created) - table);
        } else writeUnits += 2; // an Update of a small counter item, a ConditionCheck, a Delete: 1 KB
      }
      return { writeUnits, readUnits: 0 };
    }
    case 'GetItem':
      return {
        writeUnits: 0,
        readUnits: readUnits(response?.Item as Item | undefined, request.ConsistentRead === true),
      };
    case 'BatchGetItem': {
      let total = 0;
      const consistent = Object.values((request.RequestItems as Record<string, Json>) ?? {}).some(
        (r) => r.ConsistentRead === true,
      );
      for (const items of Object.values((response?.Responses as Record<string, Item[]>) ?? {}))
        for (const item of items) total += readUnits(item, consistent);
      return { writeUnits: 0, readUnits: total };
    }
    case 'Query':
    case 'Scan': {
      const sizes = ((response?.Items as Item[] | undefined) ?? []).map(marshalledBytes);
      return { writeUnits: 0, readUnits: queryReadUnits(sizes, request.ConsistentRead === true) };
    }
    default:
      return none;
  }
}

/** Entries of a batch request (PutEvents, DeleteMessageBatch, TransactWriteItems, BatchGetItem keys). */
export function entriesOf(operation: string, request: Json | undefined): number {
  if (!request) return 1;
  const name = operation.split('.').pop() ?? '';
  if (name === 'PutEvents' || name === 'DeleteMessageBatch' || name === 'SendMessageBatch')
    return ((request.Entries as unknown[]) ?? []).length;
  if (name === 'TransactWriteItems') return ((request.TransactItems as unknown[]) ?? []).length;
  if (name === 'BatchGetItem')
    return Object.values((request.RequestItems as Record<string, { Keys?: unknown[] }>) ?? {}).reduce(
      (sum, r) => sum + (r.Keys?.length ?? 0),
      0,
    );
  return 1;
}

function gbs(name: FunctionName, billedMs: number): number {
  return (billedMs / 1000) * (FUNCTIONS[name].memoryMb / 1024);
}
function perMillion(units: number, price: number): number {
  return (units / 1e6) * price;
}
function round(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
function fmt(n: number): string {
  return n >= 1000 ? Math.round(n).toLocaleString('en-US') : round(n);
}
function usd(n: number): string {
  return `$${n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2)}`;
}
