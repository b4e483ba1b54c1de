import type { V1Job } from '@kubernetes/client-node';
import type { JobRecord } from '../../shared/core/job/record.ts';
import type { JobStore, JobWatch, KubeJobs, Log } from '../../shared/core/ports.ts';
import type { ReconcileConfig } from '../../shared/core/reconcile/plan.ts';
import type { AdmissionTrigger } from '../../shared/runtime/admission-trigger.ts';
import type { ReconcileReader } from '../../shared/runtime/deadline.ts';
import type { Finalizers } from './finalizers.ts';
import type { WatchHandoff } from './handoff.ts';
import type { JobBatches } from './job-batch.ts';
import type { JobWriter } from './job-writer.ts';
import type { LostJobs } from './lost-jobs.ts';
import type { Resync } from './resync.ts';
import type { Serial } from './serial.ts';
import type { ReconcileStats } from './stats.ts';
import type { Suspension } from './suspension.ts';
import type { WatchLoop } from './watch-loop.ts';

export interface ReconcilerDeps {
  kube: JobWatch & KubeJobs;
  store: JobStore;
  reader: ReconcileReader;
  log?: Log;
  now?: () => Date;
  /** Admission passes (docs/admission.md): asked for when a job finishes or a queued one is seen. */
  admission?: Pick<AdmissionTrigger, 'request' | 'jobEnded' | 'settle'>;
  /** The watch's versions, from the previous invocation and for the next (handoff.ts). */
  handoff?: WatchHandoff;
}

export interface ReconcileOptions {
  namespaces: readonly string[];
  /** How long one invocation lasts in all: the resync, then the watch for the rest. */
  windowMs: number;
  config?: ReconcileConfig;
  /** Log tail read for finished pods (pods/log `tailLines`); 0 reads no logs. */
  logTailLines?: number;
  /** Events seen by the watch are handled in batches this often. */
  batchMs?: number;
  /**
   * Epoch milliseconds by which every DynamoDB call of this invocation ends (the function's
   * timeout, less a margin to return); none when unset.
   */
  deadline?: number;
  /** Writes (and log reads) in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
}

export type Settings = Required<Omit<ReconcileOptions, 'signal' | 'deadline'>> & { signal?: AbortSignal };

/** A managed Job this invocation has seen, by `namespace/name`. */
export interface Tracked {
  jobId: string;
  /** Kept only while the record is active (terminal records need nothing more); see `trackedJob`. */
  job?: V1Job;
  terminal: boolean;
}

/**
 * The Job as kept between its events: without its pod template and managedFields, which planning
 * never reads and which are most of a listed Job's size. Every active Job is tracked for the whole
 * invocation, so at 50,000 of them that is the function's memory.
 */
export function trackedJob(job: V1Job): V1Job {
  const { managedFields: _fields, ...metadata } = job.metadata ?? {};
  return { ...job, metadata, ...(job.spec && { spec: { ...job.spec, template: {} } }) };
}

/**
 * What the parts of one invocation share: the ports, the settings, the counters, the Jobs seen
 * and watched (by `namespace/name`), and the records read or written (by jobId).
 */
export interface Invocation {
  deps: ReconcilerDeps;
  settings: Settings;
  log: Log;
  stats: ReconcileStats;
  tracked: Map<string, Tracked>;
  /** Jobs the Job watch has delivered in this invocation: newer than any list of them. */
  watched: Set<string>;
  records: Map<string, JobRecord>;
  now(): string;
}

export const jobKey = (namespace: string, name: string | undefined): string => `${namespace}/${name ?? ''}`;

/** The parts of one invocation, each given the others through this (built in reconciler.ts). */
export interface Parts {
  serial: Serial;
  finalizers: Finalizers;
  writer: JobWriter;
  lost: LostJobs;
  batches: JobBatches;
  resync: Resync;
  watch: WatchLoop;
  suspension: Suspension;
}

/** A part of the invocation: what all share, and the other parts. */
export abstract class Part {
  protected readonly run: Invocation;
  protected readonly parts: Parts;

  constructor(run: Invocation, parts: Parts) {
    this.run = run;
    this.parts = parts;
  }
}
