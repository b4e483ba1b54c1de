import type { KubeCounters } from '../../shared/core/ports.ts';

export interface ReconcileStats {
  resyncs: number;
  /** Wall time of the first (full) resync. */
  resyncMs: number;
  /** Of which: reading the active records from the status index. */
  activeScanMs: number;
  /** Of which: waiting for LIST pages from the API server. */
  listMs: number;
  jobsListed: number;
  /** Listed Jobs left alone: unchanged since their record was written, so not read (core/reconcile/quiet.ts). */
  quiet: number;
  /**
   * Listed Jobs we released under a terminal record (the settled mark, no active entry), so not
   * read (core/reconcile/settled.ts): finished Jobs waiting for their TTL.
   */
  settledSkipped: number;
  created: number;
  replaced: number;
  /** Conditional writes another writer won (re-read and planned again). */
  conflicts: number;
  /** Writes attempted (create + replace calls). */
  writes: number;
  lost: number;
  /** Jobs whose `spec.suspend` was set to what their record says (functions/reconcile/suspension.ts). */
  suspensionsAligned: number;
  errors: number;
  watchedEvents: number;
  /** From the window's end to the return: the last batch, LOST checks, admission. */
  finishMs: number;
  /** The watch started where the previous invocation's ended (handoff.ts), not from a fresh list. */
  handedOver: boolean;
  /**
   * The longest time, in seconds, from a job's last pod finishing to the write of its
   * terminal record in this invocation; absent when no job ended. The ReconcileLag alarm.
   */
  maxLagSeconds?: number;
  /** Why the invocation ended early (a loop failed), when it did; its writes were flushed. */
  aborted?: string;
  kube: KubeCounters;
  dynamoReads: number;
}

export function emptyStats(kube: KubeCounters): ReconcileStats {
  return {
    resyncs: 0,
    resyncMs: 0,
    activeScanMs: 0,
    listMs: 0,
    jobsListed: 0,
    quiet: 0,
    settledSkipped: 0,
    created: 0,
    replaced: 0,
    conflicts: 0,
    writes: 0,
    lost: 0,
    suspensionsAligned: 0,
    errors: 0,
    watchedEvents: 0,
    finishMs: 0,
    handedOver: false,
    kube: { ...kube },
    dynamoReads: 0,
  };
}

/** The calls made since `start`. */
export function callsSince(now: KubeCounters, start: KubeCounters): KubeCounters {
  const delta = { ...now };
  for (const key of Object.keys(delta) as (keyof KubeCounters)[]) delta[key] -= start[key];
  return delta;
}

/** Notes the lag of a terminal write: from the job's last pod finishing to now. */
export function noteLag(stats: ReconcileStats, finishedAt: string | undefined): void {
  if (!finishedAt) return;
  const lag = Math.max(0, (Date.now() - Date.parse(finishedAt)) / 1000);
  stats.maxLagSeconds = Math.max(stats.maxLagSeconds ?? 0, lag);
}
