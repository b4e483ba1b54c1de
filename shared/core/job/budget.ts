import { tailUtf8, truncateUtf8 } from '../text.ts';
import type { JobRecord } from './record.ts';

/**
 * DynamoDB takes items of at most 400 KB; a record stays well under it, measured on the
 * marshalled item by the store. What counts as big: the request (up to 128 KiB), up to 20 pod
 * results with 4 KiB messages and log tails of up to 64 KiB, 20 history entries.
 */
export const RECORD_BUDGET_BYTES = 300 * 1024;

/** Ways to make a record smaller, the least valuable first; each says what it cut. */
const CUTS: { what: string; cut: (r: JobRecord) => boolean }[] = [
  {
    what: 'result.pods[].logTail to 1 KiB',
    cut: (r) => eachPod(r, (p) => shorten(p, 'logTail', 1024, tailUtf8)),
  },
  {
    what: 'result.pods[].message to 512 B',
    cut: (r) => eachPod(r, (p) => shorten(p, 'message', 512, truncateUtf8)),
  },
  { what: 'result.pods[].logTail', cut: (r) => eachPod(r, (p) => remove(p, 'logTail')) },
  {
    what: 'history[].message to 256 B',
    cut: (r) => r.history.map((h) => shorten(h, 'message', 256, truncateUtf8)).some(Boolean),
  },
  { what: 'result.pods after the first 5', cut: (r) => cutPods(r, 5) },
  { what: 'request', cut: (r) => cutRequest(r) },
  { what: 'reasons after the first 10', cut: (r) => cutList(r, 'reasons', 10) },
];

/**
 * The record cut, step by step, until `sizeOf` says it fits the budget; `trimmed` names the cuts
 * made. The identity, state, reason, times, exit codes and history states are never cut. Pure:
 * the caller measures (the DynamoDB store measures the marshalled item).
 */
export function fitToBudget(
  record: JobRecord,
  sizeOf: (record: JobRecord) => number,
  budget = RECORD_BUDGET_BYTES,
): JobRecord {
  if (sizeOf(record) <= budget) return record;
  const fitted: JobRecord = structuredClone(record);
  const trimmed = new Set(fitted.trimmed ?? []);
  for (const { what, cut } of CUTS) {
    if (cut(fitted)) trimmed.add(what);
    fitted.trimmed = [...trimmed];
    if (sizeOf(fitted) <= budget) return fitted;
  }
  return fitted;
}

type Pod = NonNullable<JobRecord['result']>['pods'][number];

function eachPod(record: JobRecord, cut: (pod: Pod) => boolean): boolean {
  return (record.result?.pods ?? []).map(cut).some(Boolean);
}

function shorten<T extends object, K extends keyof T>(
  object: T,
  key: K,
  bytes: number,
  cut: (text: string, bytes: number) => string,
): boolean {
  const value = object[key];
  if (typeof value !== 'string') return false;
  const shorter = cut(value, bytes);
  if (shorter === value) return false;
  object[key] = shorter as T[K];
  return true;
}

function remove<T extends object>(object: T, key: keyof T): boolean {
  if (object[key] === undefined) return false;
  delete object[key];
  return true;
}

function cutPods(record: JobRecord, keep: number): boolean {
  if (!record.result || record.result.pods.length <= keep) return false;
  record.result.pods = record.result.pods.slice(0, keep);
  return true;
}

function cutRequest(record: JobRecord): boolean {
  if (record.request === undefined) return false;
  delete record.request;
  return true;
}

function cutList(record: JobRecord, key: 'reasons', keep: number): boolean {
  const list = record[key];
  if (!list || list.length <= keep) return false;
  record[key] = list.slice(0, keep);
  return true;
}
