import type { QueueEntry } from '../ports.ts';
import type { AdmissionPolicy } from '../submit/policy-admission.ts';

/** A job's place in its owner's queue: its effective priority, then when it joined, then its id. */
export function effectivePriority(record: QueueEntry, policy: AdmissionPolicy, now: string): number {
  const admission = record.admission;
  if (!admission) return 0;
  const waited = Math.max(0, (Date.parse(now) - Date.parse(admission.queuedAt)) / 1000);
  // Aging: every agingSeconds of waiting is worth one priority step, so no job waits forever.
  return admission.priority + Math.floor(waited / policy.agingSeconds);
}

export function compareInQueue(policy: AdmissionPolicy, now: string) {
  return (a: QueueEntry, b: QueueEntry): number =>
    effectivePriority(b, policy, now) - effectivePriority(a, policy, now) ||
    (a.admission?.queuedAt ?? '').localeCompare(b.admission?.queuedAt ?? '') ||
    a.jobId.localeCompare(b.jobId);
}

/** The queue a job waits in: its owner's, within its namespace. */
export const queueOf = (record: QueueEntry): string => `${record.namespace ?? ''}/${record.owner}`;

/**
 * Each waiting job's 1-based position in its owner's queue (namespace and owner), in the order
 * admission takes them. Jobs that wait for a dependency or are suspended have none: no quota
 * would admit them yet.
 */
export function queuePositions(
  waiting: readonly QueueEntry[],
  policy: AdmissionPolicy,
  now: string,
): Map<string, number> {
  const byQueue = new Map<string, QueueEntry[]>();
  for (const record of waiting) {
    const list = byQueue.get(queueOf(record)) ?? [];
    list.push(record);
    byQueue.set(queueOf(record), list);
  }
  const positions = new Map<string, number>();
  for (const list of byQueue.values()) {
    list.sort(compareInQueue(policy, now));
    list.forEach((record, i) => {
      positions.set(record.jobId, i + 1);
    });
  }
  return positions;
}
