// The scale figures of one quiet resync (test/bench/reconcile.ts runs them per N, issue 10 item 5): LIST
// pages, wall time, DynamoDB read units — measured from the items each call returned, beside the same
// pass computed for the v1.2 indexes (projection ALL: the active records read whole from byStatus) —
// and the process's memory during and after the pass.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { indexItem, jobsIndex } from '../../shared/adapters/dynamodb/index-item.ts';
import { itemBytes } from '../../shared/adapters/dynamodb/item-size.ts';
import { DynamoDbJobQueries, shardKeys } from '../../shared/adapters/dynamodb/job-queries.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { RESYNC_STATES } from '../../shared/core/job/state.ts';
import { meterReads, pagedQueryReadUnits, type ReadTally } from './read-units.ts';

const MB = 1024 * 1024;

/** The largest heap and resident set seen while `run` runs (sampled every 50 ms), and after it. */
export async function withMemory<T>(
  run: () => Promise<T>,
): Promise<{ result: T; memory: Record<string, number> }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage();
  let heapPeak = before.heapUsed;
  let rssPeak = before.rss;
  const sample = () => {
    const now = process.memoryUsage();
    heapPeak = Math.max(heapPeak, now.heapUsed);
    rssPeak = Math.max(rssPeak, now.rss);
  };
  const timer = setInterval(sample, 50);
  let result: T;
  try {
    result = await run();
  } finally {
    clearInterval(timer);
  }
  sample();
  const peakNoGc = { heap: heapPeak, rss: rssPeak };
  gc?.();
  const after = process.memoryUsage();
  return {
    result,
    memory: {
      heapBeforeMb: before.heapUsed / MB,
      heapPeakMb: peakNoGc.heap / MB,
      heapAfterMb: after.heapUsed / MB,
      rssBeforeMb: before.rss / MB,
      rssPeakMb: peakNoGc.rss / MB,
      rssAfterMb: after.rss / MB,
      /** 1 when the figures after are after a full GC (node --expose-gc). */
      gcExposed: gc ? 1 : 0,
    },
  };
}

/**
 * Runs `pass` on a client of its own whose every read is metered: the pass's read units as DynamoDB
 * would bill them. (A separate pass from the timed one: sizing each answer's items costs CPU.)
 */
export async function meteredPass(
  client: DynamoDBDocumentClient,
  pass: (client: DynamoDBDocumentClient) => Promise<unknown>,
): Promise<ReadTally> {
  const meter = meterReads(client);
  await pass(client);
  return { ...meter.tally };
}

/**
 * The read units of the resync's scan of the active set (RESYNC_STATES × shards, paged at 1 MB), from
 * the whole records: as the v1.2 indexes (projection ALL) billed it, and as the v1.3 index items do.
 * The records are read by key outside any metered pass.
 */
export async function activeScanUnits(
  client: DynamoDBDocumentClient,
  table: string,
): Promise<Record<string, number>> {
  const queries = new DynamoDbJobQueries(client, table);
  const ids: string[] = [];
  for await (const entry of queries.scanActive()) ids.push(entry.jobId);
  const records = await queries.getJobs(ids, { consistent: false });
  return scanUnitsOf([...records.values()]);
}

/** Pure: the scan's pages and units over the given active records, whole and as index items. */
export function scanUnitsOf(records: readonly JobRecord[]): Record<string, number> {
  const byShard = new Map<string, JobRecord[]>();
  for (const r of records) {
    const shard = byShard.get(r.statusShard);
    if (shard) shard.push(r);
    else byShard.set(r.statusShard, [r]);
  }
  const byStatus = jobsIndex('byStatus');
  let allPages = 0;
  let allUnits = 0;
  let includePages = 0;
  let includeUnits = 0;
  let recordBytes = 0;
  let entryBytes = 0;
  for (const shard of RESYNC_STATES.flatMap((s) => shardKeys(s))) {
    // A shard in the index's order (updatedAt), as a Query reads it.
    const items = [...(byShard.get(shard) ?? [])].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    const whole = items.map((r) => itemBytes(r));
    const kept = items.map((r) => itemBytes(indexItem(r, byStatus) ?? {}));
    recordBytes += whole.reduce((sum, n) => sum + n, 0);
    entryBytes += kept.reduce((sum, n) => sum + n, 0);
    const all = pagedQueryReadUnits(whole, false);
    const include = pagedQueryReadUnits(kept, false);
    allPages += all.pages;
    allUnits += all.units;
    includePages += include.pages;
    includeUnits += include.units;
  }
  const n = Math.max(1, records.length);
  return {
    records: records.length,
    allProjectionQueries: allPages,
    allProjectionUnits: allUnits,
    includeQueries: includePages,
    includeUnits,
    meanRecordBytes: Math.round(recordBytes / n),
    meanEntryBytes: Math.round(entryBytes / n),
  };
}
