import { type AdmissionDecision, planAdmission } from '../core/admission/plan.ts';
import { admittedRecord, dependencyFailedRecord, waitingRecord } from '../core/admission/records.ts';
import type { Scope } from '../core/admission/types.ts';
import type { JobRecord } from '../core/job/record.ts';
import type { AdmissionStore, JobReader, JobStore, KubeJobs, Log, QueueEntry } from '../core/ports.ts';
import type { AdmissionPolicy } from '../core/submit/policy-admission.ts';
import { mapPool } from './pool.ts';

export interface AdmitterDeps {
  admission: AdmissionStore;
  store: Pick<JobStore, 'replace' | 'get'>;
  reader: Pick<JobReader, 'scanQueue' | 'getStates' | 'getJobs'>;
  kube: Pick<KubeJobs, 'setSuspended' | 'deleteJob'>;
  policy: { admission: AdmissionPolicy; recordRetentionSeconds: number };
  log: Log;
  now: () => Date;
}

export interface AdmissionStats {
  queued: number;
  admitted: number;
  /** Admissions another admitter's transaction beat (a quota full, or the record moved on). */
  contended: number;
  dependencyFailed: number;
  reasonsWritten: number;
  /** Seconds each admitted job waited in its queue. */
  waits: number[];
  /** The queue's depth by owner, as this pass read it, and the waits of the jobs it admitted. */
  byOwner: Record<string, { queued: number; waits: number[] }>;
  ms: number;
}

/** Records whose reason changes are written in one pass at most; the rest wait for the next. */
const MAX_REASON_WRITES = 100;

/**
 * One admission pass: read the queue (the QUEUED records), the usage counters and the dependencies'
 * states; plan (core/admission/plan.ts); then admit in the planned order, a batch per transaction,
 * each conditional on the quotas (so overlapping passes in submit and reconcile never admit past
 * one), and unsuspend each admitted Job. A Job left suspended by a fault here is unsuspended
 * by reconcile, which compares every Job with its record.
 */
export async function admissionPass(deps: AdmitterDeps): Promise<AdmissionStats> {
  const started = Date.now();
  const queued: QueueEntry[] = [];
  for await (const entry of deps.reader.scanQueue()) if (entry.admission) queued.push(entry);
  const stats: AdmissionStats = {
    queued: queued.length,
    admitted: 0,
    contended: 0,
    dependencyFailed: 0,
    reasonsWritten: 0,
    waits: [],
    byOwner: {},
    ms: 0,
  };
  for (const record of queued) ownerStats(stats, record.owner).queued++;
  if (queued.length > 0) {
    const scopes = [...new Set(queued.flatMap((r) => r.admission?.scopes ?? []))] as Scope[];
    const dependencyIds = [
      ...new Set(queued.flatMap((r) => r.admission?.dependsOn?.map((d) => d.jobId) ?? [])),
    ];
    const [usage, dependencies] = await Promise.all([
      deps.admission.usage(scopes),
      dependencyIds.length > 0 ? deps.reader.getStates(dependencyIds) : new Map(),
    ]);
    const decisions = planAdmission({
      queued,
      usage,
      dependencies,
      policy: deps.policy.admission,
      now: deps.now().toISOString(),
    });
    await admitInOrder(deps, decisions, stats);
    await settleOthers(deps, decisions, stats);
  }
  stats.ms = Date.now() - started;
  return stats;
}

/** Admissions per transaction: 25 records and their at most 75 counters stay within DynamoDB's 100 items. */
const ADMIT_BATCH = 25;

/**
 * The planned admissions, in order, a batch per transaction; a batch that does not apply (a record
 * moved on, a quota another admitter filled) is admitted one by one. The Jobs of each batch are
 * unsuspended together.
 */
async function admitInOrder(deps: AdmitterDeps, decisions: AdmissionDecision[], stats: AdmissionStats) {
  const admits = decisions.filter((d) => d.kind === 'admit');
  const full = new Set<Scope>();
  for (let i = 0; i < admits.length; i += ADMIT_BATCH) {
    // Another admitter took what this pass planned to use: the next pass plans from fresh counters.
    const batch = admits
      .slice(i, i + ADMIT_BATCH)
      .filter((d) => !d.record.admission?.scopes.some((s) => full.has(s)));
    const at = deps.now().toISOString();
    // The plan read the queue's fields only: the writes start from the whole, current records.
    const records = await deps.reader.getJobs(batch.map((d) => d.record.jobId));
    const planned = batch.flatMap((d) => {
      const record = records.get(d.record.jobId);
      const next = record && admittedRecord(record, at);
      return record && next ? [{ decision: d, record, next }] : [];
    });
    if (planned.length === 0) continue;
    const limits = new Map(planned.flatMap(({ decision }) => [...decision.limits]));
    const together = await deps.admission.admitAll(
      planned.map((p) => p.next),
      limits,
    );
    const admitted =
      together === 'admitted'
        ? planned
        : (await mapSeries(planned, (p) => admitOne(deps, p, at, full))).flatMap((p) => p ?? []);
    stats.contended += planned.length - admitted.length;
    for (const { decision } of admitted) {
      stats.admitted++;
      const waited = (Date.parse(at) - Date.parse(decision.record.admission?.queuedAt ?? at)) / 1000;
      stats.waits.push(waited);
      ownerStats(stats, decision.record.owner).waits.push(waited);
    }
    await mapPool(admitted, 8, ({ next }) => unsuspend(deps, next));
  }
}

/** One admission; on a lost race, once more on the fresh record (most often a reason another pass wrote). */
async function admitOne(
  deps: AdmitterDeps,
  { decision, record }: { decision: Extract<AdmissionDecision, { kind: 'admit' }>; record: JobRecord },
  at: string,
  full: Set<Scope>,
): Promise<{ decision: typeof decision; next: JobRecord } | undefined> {
  const scopes = record.admission?.scopes ?? [];
  if (scopes.some((s) => full.has(s))) return undefined;
  let next: JobRecord | undefined = admittedRecord(record, at);
  let outcome = next && (await deps.admission.admit(next, decision.limits));
  if (outcome === 'raced') {
    const fresh = await deps.store.get(decision.record.jobId);
    next = fresh && admittedRecord(fresh, at);
    outcome = next && (await deps.admission.admit(next, decision.limits));
  }
  if (outcome === 'full') for (const s of scopes) full.add(s);
  return next && outcome === 'admitted' ? { decision, next } : undefined;
}

async function mapSeries<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

function ownerStats(stats: AdmissionStats, owner: string) {
  stats.byOwner[owner] ??= { queued: 0, waits: [] };
  return stats.byOwner[owner];
}

async function unsuspend(deps: AdmitterDeps, record: JobRecord): Promise<void> {
  try {
    await deps.kube.setSuspended(record.namespace ?? '', record.jobName ?? '', false);
  } catch (error) {
    deps.log.warn('admitted, but unsuspending the Job failed; reconcile will', {
      jobId: record.jobId,
      error: String(error),
    });
  }
}

/** Dependency failures and changed reasons, a few at a time; a lost race is left for the next pass. */
async function settleOthers(deps: AdmitterDeps, decisions: AdmissionDecision[], stats: AdmissionStats) {
  const at = deps.now().toISOString();
  const failures = decisions.filter((d) => d.kind === 'fail');
  const waits = decisions.filter((d) => d.kind === 'wait').slice(0, MAX_REASON_WRITES);
  const settle = [...failures, ...waits];
  const records =
    settle.length > 0 ? await deps.reader.getJobs(settle.map((d) => d.record.jobId)) : new Map();
  await mapPool(settle, 8, async (decision) => {
    const record: JobRecord | undefined = records.get(decision.record.jobId);
    if (!record) return;
    if (decision.kind === 'fail') {
      const dependency = { jobId: decision.dependency, state: decision.state };
      const next = dependencyFailedRecord(record, dependency, {
        at,
        retentionSeconds: deps.policy.recordRetentionSeconds,
      });
      if (!next || !(await deps.store.replace(next))) return;
      stats.dependencyFailed++;
      // The Job never ran (suspended); reconcile deletes it too, should this fail.
      await deps.kube.deleteJob(next.namespace ?? '', next.jobName ?? '').catch(() => undefined);
    } else if (decision.kind === 'wait') {
      const next = waitingRecord(record, decision.reason, decision.message, at);
      if (next && (await deps.store.replace(next))) stats.reasonsWritten++;
    }
  });
}
