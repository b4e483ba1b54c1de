import type { V1Job, V1Pod } from '@kubernetes/client-node';
import type { Limits, Scope, Usage } from './admission/types.ts';
import type { StateChangeEvent } from './job/events.ts';
import type { JobRecord } from './job/record.ts';

/** A queued record as admission's read of the queue returns it: the fields ordering needs. */
export type QueueEntry = Pick<
  JobRecord,
  | 'jobId'
  | 'owner'
  | 'namespace'
  | 'state'
  | 'version'
  | 'reason'
  | 'message'
  | 'createdAt'
  | 'admission'
  | 'suspension'
>;

/**
 * An active record as the resync's read of the status index returns it: where its Job is, and what
 * tells a Job that changed nothing since its record was written (core/reconcile/quiet.ts).
 */
export type ActiveEntry = Pick<
  JobRecord,
  'jobId' | 'namespace' | 'jobName' | 'state' | 'version' | 'updatedAt' | 'observed'
>;

import type { JobState, TerminalState } from './job/state.ts';
import type { LogTail } from './reconcile/result.ts';

/**
 * Every port the functions reach the outside through. The adapters in shared/adapters implement
 * them; the unit tests implement each with one fake (test/unit/fakes).
 */

/** Bounds one call: no attempt starts, and no request outlives, the invocation's deadline. */
export interface CallOptions {
  /** Epoch milliseconds. */
  deadline?: number;
  signal?: AbortSignal;
}

/** A structured logger; `child` adds keys (jobId, messageId) to every line it writes. */
export interface Log {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
  child(keys: Record<string, unknown>): Log;
}

/** What a create did: wrote the record, or found one with its jobId (returned as stored). */
export type Created = { created: true } | { created: false; existing: JobRecord };

/** The writes of job records, and the one consistent read a writer needs before it writes. */
export interface JobStore {
  /** Writes the record unless one with its jobId exists; then returns the existing one. */
  create(record: JobRecord, options?: CallOptions): Promise<Created>;
  /**
   * Several creates at once (a batch's new records), each answered as `create` would answer it, in
   * order: of two records with one jobId, the first is written and the second finds it. A record
   * whose write failed is `rejected` (with the others written with it, if that request failed).
   */
  createAll(records: readonly JobRecord[], options?: CallOptions): Promise<PromiseSettledResult<Created>[]>;
  get(jobId: string, options?: CallOptions): Promise<JobRecord | undefined>;
  /**
   * Writes `next` only if the stored record's version is still `next.version - 1`, so that
   * concurrent writers never regress a record. False when another writer was first.
   */
  replace(next: JobRecord, options?: CallOptions): Promise<boolean>;
}

/** What an admission's transaction did: applied, lost to another writer of the record, or found a quota full. */
export type Admitted = 'admitted' | 'raced' | 'full';

/** Admission's writes and its read of the usage counters (core/admission; docs/admission.md). */
export interface AdmissionStore {
  /**
   * Writes `next` (the record admitted, conditional on its version) and adds its charge to each of
   * its scopes' counters, each conditional on staying within `limits`: all or nothing.
   */
  admit(next: JobRecord, limits: ReadonlyMap<Scope, Limits>, options?: CallOptions): Promise<Admitted>;
  /** Several admissions as one: every record and the counters' sums, or nothing. */
  admitAll(
    nexts: readonly JobRecord[],
    limits: ReadonlyMap<Scope, Limits>,
    options?: CallOptions,
  ): Promise<Admitted>;
  /** The counters of the given scopes that exist, each with the limits last recorded beside it. */
  usage(scopes: readonly Scope[], options?: CallOptions): Promise<Map<Scope, Usage & { limits?: Limits }>>;
}

/** The reads of job records (docs/queries.md); DynamoDbJobQueries is the adapter. */
export interface JobReader {
  getJob(jobId: string, options?: CallOptions): Promise<JobRecord | undefined>;
  getJobs(jobIds: readonly string[], options?: CallOptions): Promise<Map<string, JobRecord>>;
  /** Many records' states in one consistent read; absent records are absent from the map. */
  getStates(jobIds: readonly string[], options?: CallOptions): Promise<Map<string, JobState>>;
  /**
   * The records of RESYNC_STATES (every active one but the queued), from the status index: entries,
   * not records (read a record by key when it is needed).
   */
  scanActive(options?: CallOptions): AsyncGenerator<ActiveEntry>;
  /** Every record in one state: the status index for the ids, the records read by key. */
  scanState(state: JobState, maxPages?: number, options?: CallOptions): AsyncGenerator<JobRecord>;
  /** The QUEUED records, with what admission orders them by only (the status index). */
  scanQueue(options?: CallOptions): AsyncGenerator<QueueEntry>;
  readonly counters?: { calls: number };
}

/** "Job State Change" events on the bus. */
export interface EventPublisher {
  /** Publishes the events in order; never throws. */
  publish(events: readonly StateChangeEvent[], options?: CallOptions): Promise<Published>;
}

/** How many events, from the first, are on the bus: all of them, or those before `error`. */
export interface Published {
  published: number;
  error?: string;
}

/** Single Jobs by name: what submit, cancel and reconcile's corrections do. */
export interface KubeJobs {
  /** Creates the Job and returns the apiserver's warnings (e.g. PodSecurity's); throws KubeError. */
  createJob(job: V1Job, options?: CallOptions): Promise<{ warnings: string[] }>;
  readJob(namespace: string, name: string, options?: CallOptions): Promise<V1Job | undefined>;
  /**
   * Deletes the Job with propagation Foreground (its pods are stopped first); the Job itself stays
   * until our finalizer is released. `not-found` when it is already gone.
   */
  deleteJob(namespace: string, name: string, options?: CallOptions): Promise<'deleted' | 'not-found'>;
  /**
   * Removes our finalizer from the Job (given as last seen), so that a pending delete completes, and
   * in the same patch marks the Job settled with its record's terminal state (`ANNOTATIONS.settled`),
   * so that later resyncs need not read the record. Called only once that record is written.
   */
  releaseJob(job: V1Job, settled: TerminalState, options?: CallOptions): Promise<Released>;
  /** Sets the Job's `spec.suspend` (admission and the suspend action); `not-found` when it is gone. */
  setSuspended(
    namespace: string,
    name: string,
    suspend: boolean,
    options?: CallOptions,
  ): Promise<'set' | 'not-found'>;
}

export type Released = 'released' | 'not-held' | 'not-found';

export interface JobPage {
  items: V1Job[];
  /** The list's resourceVersion (the same on every page of one consistent list). */
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEnd {
  /** The last resourceVersion seen (events and bookmarks). */
  resourceVersion: string;
  /** True when the server said the resourceVersion is too old (410): list again. */
  expired: boolean;
}

/** Kubernetes API calls made, by kind, for metrics and the benchmark. */
export interface KubeCounters {
  listJobs: number;
  listPods: number;
  getJob: number;
  deleteJob: number;
  /** `spec.suspend` patches (admission, the suspend action). */
  suspends: number;
  /** Finalizers released (Jobs and pods). */
  releases: number;
  podLogs: number;
  watchRequests: number;
  watchEvents: number;
  relists: number;
}

/** Lists, watches and log reads of the managed Jobs and their pods: the reconciler's view. */
export interface JobWatch {
  readonly counters: KubeCounters;
  /** A consistent, paginated LIST of managed Jobs; a 410 on an expired continue token lists again. */
  listJobs(namespace: string, labelSelector: string): AsyncGenerator<JobPage>;
  /** The pods of the given Jobs, in as few LIST calls as the selector length allows. */
  listPods(namespace: string, jobNames: readonly string[]): Promise<V1Pod[]>;
  /** The current resourceVersion of the namespace's managed Jobs (one LIST with limit 1). */
  jobsResourceVersion(namespace: string, labelSelector: string): Promise<string>;
  /** The current resourceVersion of the namespace's pods (one LIST with limit 1). */
  podsResourceVersion(namespace: string): Promise<string>;
  readLogTail(
    namespace: string,
    pod: string,
    container: string | undefined,
    tailLines: number,
    limitBytes: number,
  ): Promise<LogTail>;
  /** Removes our finalizer from the pod (given as last seen). */
  releasePod(pod: V1Pod, options?: CallOptions): Promise<Released>;
  /** Watches from `resourceVersion` until `deadline` (epoch ms) or until `signal` aborts. */
  watch(
    resource: 'jobs' | 'pods',
    namespace: string,
    options: { resourceVersion: string; labelSelector: string; deadline: number; signal?: AbortSignal },
    onEvent: (type: WatchEventType, object: V1Job & V1Pod) => void,
  ): Promise<WatchEnd>;
}
