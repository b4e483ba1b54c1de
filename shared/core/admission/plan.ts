import { isTerminal, type JobState } from '../job/state.ts';
import type { QueueEntry } from '../ports.ts';
import type { AdmissionPolicy } from '../submit/policy-admission.ts';
import { compareInQueue, queueOf } from './order.ts';
import { addUsage, fullMessage, limitsOfScope, overLimit, ZERO_USAGE } from './quota.ts';
import type { Dependency, Limits, Scope, Usage } from './types.ts';

export interface AdmissionInput {
  /** QUEUED records under admission, as last read. */
  queued: readonly QueueEntry[];
  /** The usage counters of every scope the queued jobs charge (absent: nothing charged yet). */
  usage: ReadonlyMap<Scope, Usage>;
  /** The states of the queued jobs' dependencies; absent: no such record. */
  dependencies: ReadonlyMap<string, JobState>;
  policy: AdmissionPolicy;
  now: string;
}

export type AdmissionDecision =
  /** Take the charge in every scope, each under its limits (checked again by the store's transaction). */
  | { kind: 'admit'; record: QueueEntry; limits: Map<Scope, Limits> }
  /** A dependency ended so that it can never be met. */
  | { kind: 'fail'; record: QueueEntry; dependency: string; state: JobState | undefined }
  /** Still waiting, for a reason other than the one it shows. */
  | { kind: 'wait'; record: QueueEntry; reason: WaitReason; message: string };

export type WaitReason = 'Suspended' | 'WaitingForDependency' | 'WaitingForQuota';

/** Whether a dependency in `state` is met, can never be met (`failed`), or may still be. */
export function dependencyStatus(
  dependency: Dependency,
  state: JobState | undefined,
): 'met' | 'failed' | 'waiting' {
  if (state === undefined) return 'failed';
  if (!isTerminal(state)) return 'waiting';
  if (state === 'SUCCEEDED') return 'met';
  const ran = state === 'FAILED' || state === 'TIMED_OUT';
  return dependency.condition === 'FINISHED' && ran ? 'met' : 'failed';
}

/**
 * One admission pass, pure. Per namespace, owners take turns by fair share: the owner whose
 * dominant share of the namespace quota, divided by its weight, is lowest offers its queue's head
 * (effective priority, then age). A head over its owner's quota closes that owner's queue for this
 * pass; a head over the namespace's quota closes the namespace: nothing behind it jumps ahead, so
 * a large job is never starved by small ones.
 */
export function planAdmission(input: AdmissionInput): AdmissionDecision[] {
  const { policy, now } = input;
  const decisions: AdmissionDecision[] = [];
  const usage = new Map(input.usage);
  const candidates = new Map<string, QueueEntry[]>();
  const wait = (record: QueueEntry, reason: WaitReason, message: string): void => {
    if (record.reason !== reason || record.message !== message)
      decisions.push({ kind: 'wait', record, reason, message });
  };
  for (const record of input.queued) {
    const blocked = blockedBy(record, input.dependencies);
    if (blocked?.kind === 'failed') {
      decisions.push({ kind: 'fail', record, dependency: blocked.jobId, state: blocked.state });
    } else if (record.suspension) {
      const by = record.suspension;
      wait(record, 'Suspended', `suspended by ${by.by}${by.reason ? `: ${by.reason}` : ''}`);
    } else if (blocked) {
      wait(record, 'WaitingForDependency', `waiting for ${blocked.jobId} (${blocked.state ?? 'unknown'})`);
    } else {
      const namespace = record.namespace ?? '';
      const list = candidates.get(namespace) ?? [];
      list.push(record);
      candidates.set(namespace, list);
    }
  }
  for (const [namespace, records] of candidates) {
    admitInNamespace(namespace, records, { usage, policy, now, decisions, wait });
  }
  return decisions;
}

interface PassState {
  usage: Map<Scope, Usage>;
  policy: AdmissionPolicy;
  now: string;
  decisions: AdmissionDecision[];
  wait: (record: QueueEntry, reason: WaitReason, message: string) => void;
}

function admitInNamespace(namespace: string, records: QueueEntry[], pass: PassState): void {
  const { usage, policy, now, decisions, wait } = pass;
  const queues = new Map<string, QueueEntry[]>();
  for (const record of records) {
    const queue = queues.get(queueOf(record)) ?? [];
    queue.push(record);
    queues.set(queueOf(record), queue);
  }
  for (const queue of queues.values()) queue.sort(compareInQueue(policy, now));
  const nsScope: Scope = `namespace#${namespace}`;
  const nsLimits = limitsOfScope(nsScope, policy);
  const share = (owner: string): number => {
    const used = usage.get(`share#${namespace}#${owner}`) ?? ZERO_USAGE;
    const dominant = Math.max(
      0,
      ...(Object.keys(nsLimits) as (keyof Usage)[]).map((d) => used[d] / Math.max(1, nsLimits[d] ?? 1)),
    );
    return dominant / (policy.weights[owner] ?? policy.defaultWeight);
  };
  while (queues.size > 0) {
    const [key, queue] = [...queues].reduce((best, next) => {
      const [a, b] = [best[1][0] as QueueEntry, next[1][0] as QueueEntry];
      const order = share(a.owner) - share(b.owner) || compareInQueue(policy, now)(a, b);
      return order <= 0 ? best : next;
    });
    const head = queue[0] as QueueEntry;
    const admission = head.admission as NonNullable<QueueEntry['admission']>;
    const limits = new Map(admission.scopes.map((s) => [s, limitsOfScope(s, policy)] as const));
    const over = admission.scopes.find((s) =>
      overLimit(usage.get(s) ?? ZERO_USAGE, admission.charge, limits.get(s) ?? {}),
    );
    if (over === undefined) {
      decisions.push({ kind: 'admit', record: head, limits });
      for (const s of admission.scopes) usage.set(s, addUsage(usage.get(s) ?? ZERO_USAGE, admission.charge));
      queue.shift();
      if (queue.length === 0) queues.delete(key);
      continue;
    }
    const used = usage.get(over) ?? ZERO_USAGE;
    const dimension = overLimit(used, admission.charge, limits.get(over) ?? {}) as keyof Usage;
    const message = fullMessage(over, used, limits.get(over) ?? {}, dimension);
    // Over the owner's quota: only this queue waits. Over the namespace's: every queue in it does.
    const closed = over === nsScope ? [...queues.values()] : [queue];
    for (const waiting of closed) for (const record of waiting) wait(record, 'WaitingForQuota', message);
    if (over === nsScope) return;
    queues.delete(key);
  }
}

/** The first dependency not met: failed for good, or still to come; undefined when all are met. */
function blockedBy(
  record: QueueEntry,
  states: ReadonlyMap<string, JobState>,
): { kind: 'failed' | 'waiting'; jobId: string; state: JobState | undefined } | undefined {
  let waiting: { kind: 'waiting'; jobId: string; state: JobState | undefined } | undefined;
  for (const dependency of record.admission?.dependsOn ?? []) {
    const state = states.get(dependency.jobId);
    const status = dependencyStatus(dependency, state);
    if (status === 'failed') return { kind: 'failed', jobId: dependency.jobId, state };
    if (status === 'waiting') waiting ??= { kind: 'waiting', jobId: dependency.jobId, state };
  }
  return waiting;
}
