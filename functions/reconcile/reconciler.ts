import type { V1Job, V1Pod } from '@kubernetes/client-node';
import {
  JOB_NAME_LABEL,
  type JobSource,
  type KubeCounters,
} from '../../shared/adapters/kubernetes/job-source.ts';
import { type StateChangeEvent, stateChangeEvent } from '../../shared/core/job/events.ts';
import { MANAGED_SELECTOR } from '../../shared/core/job/labels.ts';
import type { JobRecord } from '../../shared/core/job/record.ts';
import { isTerminal } from '../../shared/core/job/state.ts';
import type { EventPublisher, JobStore } from '../../shared/core/ports.ts';
import {
  DEFAULT_RECONCILE_CONFIG,
  type JobPlan,
  jobIdOf,
  planJob,
  planMissing,
  type ReconcileConfig,
} from '../../shared/core/reconcile/plan.ts';
import { type LogTail, logPods, mainContainer } from '../../shared/core/reconcile/result.ts';
import { needsPods, terminalCondition } from '../../shared/core/reconcile/status.ts';

/** The record reads the reconciler needs (DynamoDbJobQueries is the adapter). */
export interface RecordReader {
  getJob(jobId: string): Promise<JobRecord | undefined>;
  getJobs(jobIds: readonly string[]): Promise<Map<string, JobRecord>>;
  scanActive(): AsyncGenerator<JobRecord>;
  readonly counters?: { calls: number };
}

export interface Logger {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface ReconcilerDeps {
  kube: JobSource;
  store: JobStore;
  records: RecordReader;
  events: EventPublisher;
  logger?: Logger;
  now?: () => Date;
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
  /** Writes (and log reads) in flight at once. */
  concurrency?: number;
  signal?: AbortSignal;
}

export interface ReconcileStats {
  resyncs: number;
  /** Wall time of the first (full) resync. */
  resyncMs: number;
  /** Of which: reading the active records from the status index. */
  activeScanMs: number;
  /** Of which: waiting for LIST pages from the API server. */
  listMs: number;
  jobsListed: number;
  created: number;
  replaced: number;
  /** Conditional writes another writer won (re-read and planned again). */
  conflicts: number;
  /** Writes attempted (create + replace calls). */
  writes: number;
  lost: number;
  eventsPublished: number;
  eventsFailed: number;
  errors: number;
  watchedEvents: number;
  /**
   * The longest time, in seconds, from a job's last pod finishing to the write of its
   * terminal record in this invocation; absent when no job ended. The ReconcileLag alarm.
   */
  maxLagSeconds?: number;
  kube: KubeCounters;
  dynamoReads: number;
}

const noopLogger: Logger = { info() {}, warn() {}, error() {} };

async function mapLimit<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(workers);
}

interface Known {
  jobId: string;
  /** Kept only while the record is active (terminal records need nothing more). */
  job?: V1Job;
  terminal: boolean;
}

interface Missing {
  record: JobRecord;
  since: string;
}

/**
 * One invocation of the reconciler: a full resync (paginated LIST of managed Jobs, the
 * pods only of the jobs that need them, a batched read of their records, conditional writes
 * of what changed), then a watch of Jobs and pods from the list's resourceVersion until the
 * window ends, handled in small batches so that status lands within about a second.
 */
export class Reconciler {
  private readonly deps: ReconcilerDeps;
  private readonly options: Required<Omit<ReconcileOptions, 'signal'>> & { signal?: AbortSignal };
  private readonly log: Logger;
  private readonly known = new Map<string, Known>();
  private readonly records = new Map<string, JobRecord>();
  private readonly missing = new Map<string, Missing>();
  private readonly dirty = new Map<string, V1Job | undefined>();
  private readonly deleted = new Map<string, string>();
  /** Jobs the job watch has delivered in this invocation: newer than any list of it. */
  private readonly watched = new Set<string>();
  private pendingEvents: StateChangeEvent[] = [];
  private lock: Promise<unknown> = Promise.resolve();
  private readonly kubeStart: KubeCounters;
  private readonly readsStart: number;
  readonly stats: ReconcileStats;

  constructor(deps: ReconcilerDeps, options: ReconcileOptions) {
    this.deps = deps;
    this.options = {
      config: DEFAULT_RECONCILE_CONFIG,
      logTailLines: 50,
      batchMs: 200,
      concurrency: 16,
      ...options,
    };
    this.log = deps.logger ?? noopLogger;
    this.kubeStart = { ...deps.kube.counters };
    this.readsStart = deps.records.counters?.calls ?? 0;
    this.stats = {
      resyncs: 0,
      resyncMs: 0,
      activeScanMs: 0,
      listMs: 0,
      jobsListed: 0,
      created: 0,
      replaced: 0,
      conflicts: 0,
      writes: 0,
      lost: 0,
      eventsPublished: 0,
      eventsFailed: 0,
      errors: 0,
      watchedEvents: 0,
      kube: { ...deps.kube.counters },
      dynamoReads: 0,
    };
  }

  private now(): string {
    return (this.deps.now?.() ?? new Date()).toISOString();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** Counters since this reconciler was built. */
  snapshot(): ReconcileStats {
    const kube = { ...this.deps.kube.counters };
    for (const key of Object.keys(kube) as (keyof KubeCounters)[]) kube[key] -= this.kubeStart[key];
    this.stats.kube = kube;
    this.stats.dynamoReads = (this.deps.records.counters?.calls ?? 0) - this.readsStart;
    return { ...this.stats, kube };
  }

  /**
   * The whole invocation. The watches start first, from the current resourceVersion, and are
   * handled while the resync runs (the two take turns per page), so that a job finishing
   * during a long resync is recorded as fast as one finishing later. The resync leaves alone
   * the Jobs the watch has already delivered: the watch, in order, is at least as new.
   */
  async run(): Promise<ReconcileStats> {
    const deadline = Date.now() + this.options.windowMs;
    if (this.options.windowMs <= 0) {
      await this.resync();
    } else {
      const versions = new Map<string, { jobs: string; pods: string }>();
      for (const ns of this.options.namespaces) {
        versions.set(ns, {
          jobs: await this.deps.kube.jobsResourceVersion(ns, MANAGED_SELECTOR),
          pods: await this.deps.kube.podsResourceVersion(ns),
        });
      }
      await this.watchAll(versions, deadline, () => this.resync());
    }
    await this.serial(() => this.confirmMissing(true));
    await this.flushEvents();
    return this.snapshot();
  }

  /**
   * A full resync of every namespace; returns each namespace's list resourceVersion.
   * The active records are read first, from the status index (a few pages, not one read per
   * job); they serve both as the records of the listed Jobs and as the set in which a record
   * whose Job is not listed is a LOST candidate. Only the listed Jobs without an active
   * record (finished, or orphans) are read by key.
   */
  async resync(): Promise<Map<string, string>> {
    const started = Date.now();
    const namespaces = new Set(this.options.namespaces);
    const active = new Map<string, JobRecord>();
    for await (const record of this.deps.records.scanActive()) {
      if (record.namespace && record.jobName && namespaces.has(record.namespace))
        active.set(record.jobId, record);
    }
    if (this.stats.resyncs === 0) this.stats.activeScanMs = Date.now() - started;
    const listedAt = this.now();
    const versions = new Map<string, string>();
    const seen = new Set<string>();
    for (const ns of this.options.namespaces) {
      versions.set(ns, await this.resyncNamespace(ns, seen, active));
    }
    for (const record of active.values()) {
      if (seen.has(`${record.namespace}/${record.jobName}`)) continue;
      // Missing since at least the list; if the record is older, since its last write (a
      // writer saw the Job then), so that the grace runs across invocations too.
      const since = new Date(Math.min(Date.parse(record.updatedAt), Date.parse(listedAt))).toISOString();
      if (!this.missing.has(record.jobId)) this.missing.set(record.jobId, { record, since });
    }
    await this.serial(() => this.confirmMissing(false));
    await this.flushEvents();
    if (this.stats.resyncs === 0) this.stats.resyncMs = Date.now() - started;
    this.stats.resyncs++;
    return versions;
  }

  private async resyncNamespace(
    ns: string,
    seen: Set<string>,
    active?: Map<string, JobRecord>,
  ): Promise<string> {
    let version = '';
    let waited = Date.now();
    for await (const page of this.deps.kube.listJobs(ns, MANAGED_SELECTOR)) {
      if (this.stats.resyncs === 0) this.stats.listMs += Date.now() - waited;
      version = page.resourceVersion;
      this.stats.jobsListed += page.items.length;
      for (const job of page.items) seen.add(`${ns}/${job.metadata?.name}`);
      await this.serial(() => this.handleJobs(ns, page.items, active ?? 'read'));
      waited = Date.now();
    }
    return version;
  }

  /**
   * Plans and writes a batch of Jobs of one namespace with one pod LIST. Records come from
   * `known` (the active records of the resync), else from this invocation's cache
   * (`'cache'`), else by a batched read by key (`'read'`, or not found in either).
   */
  private async handleJobs(
    ns: string,
    batch: readonly V1Job[],
    source: Map<string, JobRecord> | 'cache' | 'read',
  ): Promise<void> {
    // The resync leaves alone the Jobs the watch has delivered: the watch is newer.
    let jobs = batch;
    if (source instanceof Map) jobs = jobs.filter((job) => !this.watched.has(`${ns}/${job.metadata?.name}`));
    if (jobs.length === 0) return;
    const ids = jobs.map(jobIdOf);
    let toRead = ids;
    if (source instanceof Map) {
      toRead = [];
      for (const id of ids) {
        const record = source.get(id);
        const cached = this.records.get(id);
        if (!record) toRead.push(id);
        else if (!cached || cached.version < record.version) this.records.set(id, record);
      }
    } else if (source === 'cache') {
      toRead = ids.filter((id) => !this.records.has(id));
    }
    if (toRead.length > 0) {
      const fresh = await this.deps.records.getJobs(toRead);
      for (const id of toRead) {
        const record = fresh.get(id);
        if (record) this.records.set(id, record);
        else this.records.delete(id);
      }
    }
    const work: V1Job[] = [];
    for (const job of jobs) {
      const name = job.metadata?.name ?? '';
      const jobId = jobIdOf(job);
      const record = this.records.get(jobId);
      const key = `${ns}/${name}`;
      this.missing.delete(jobId);
      if (record && (record.namespace !== ns || record.jobName !== name)) {
        this.log.warn('a Job carries the id of a record of another Job; left alone', { jobId, job: key });
        continue;
      }
      if (record && isTerminal(record.state)) {
        this.known.set(key, { jobId, terminal: true });
        continue;
      }
      this.known.set(key, { jobId, job, terminal: false });
      work.push(job);
    }
    const wantPods = work.filter(needsPods).map((job) => job.metadata?.name ?? '');
    const podsByJob = new Map<string, V1Pod[]>();
    if (wantPods.length > 0) {
      for (const pod of await this.deps.kube.listPods(ns, wantPods)) {
        const jobName = pod.metadata?.labels?.[JOB_NAME_LABEL] ?? '';
        const list = podsByJob.get(jobName) ?? [];
        list.push(pod);
        podsByJob.set(jobName, list);
      }
    }
    await mapLimit(work, this.options.concurrency, async (job) => {
      try {
        await this.handleJob(ns, job, podsByJob.get(job.metadata?.name ?? '') ?? []);
      } catch (error) {
        this.stats.errors++;
        this.log.error('reconciling a job failed', {
          job: `${ns}/${job.metadata?.name}`,
          error: String(error),
        });
      }
    });
  }

  private async handleJob(ns: string, job: V1Job, pods: V1Pod[]): Promise<void> {
    const jobId = jobIdOf(job);
    let record = this.records.get(jobId);
    let logs: Map<string, LogTail> | undefined;
    const readLogs = async (): Promise<Map<string, LogTail>> => {
      if (logs) return logs;
      logs = new Map();
      if (this.options.logTailLines <= 0) return logs;
      const limits = this.options.config.limits;
      for (const pod of logPods(job, pods, limits)) {
        const name = pod.metadata?.name ?? '';
        logs.set(
          name,
          await this.deps.kube.readLogTail(
            ns,
            name,
            mainContainer(pod)?.name,
            this.options.logTailLines,
            limits.logTailBytes * 4,
          ),
        );
      }
      return logs;
    };
    for (let attempt = 0; attempt < 4; attempt++) {
      const now = this.now();
      // Logs are read only when the plan is a terminal write, so a quiet pass reads none.
      let plan = planJob(record, job, pods, logs, now, this.options.config);
      if (plan.kind !== 'none' && isTerminal(plan.record.state) && terminalCondition(job) && !logs) {
        plan = planJob(record, job, pods, await readLogs(), now, this.options.config);
      }
      const outcome = await this.apply(plan);
      if (outcome.done) {
        if (outcome.record && isTerminal(outcome.record.state)) {
          this.known.set(`${ns}/${job.metadata?.name}`, { jobId, terminal: true });
        }
        return;
      }
      record = outcome.record;
    }
    this.log.warn('gave up on a job after repeated write conflicts', { jobId });
  }

  private noteLag(record: JobRecord): void {
    const finishedAt = record.result?.finishedAt;
    if (!isTerminal(record.state) || !finishedAt) return;
    const lag = Math.max(0, (Date.now() - Date.parse(finishedAt)) / 1000);
    this.stats.maxLagSeconds = Math.max(this.stats.maxLagSeconds ?? 0, lag);
  }

  /** Writes a plan; on a lost race returns the fresh record to plan again. */
  private async apply(plan: JobPlan): Promise<{ done: boolean; record?: JobRecord }> {
    if (plan.kind === 'none') return { done: true };
    const { store } = this.deps;
    this.stats.writes++;
    if (plan.kind === 'create') {
      const out = await store.create(plan.record);
      if (out.created) {
        this.stats.created++;
        this.records.set(plan.record.jobId, plan.record);
        this.pendingEvents.push(stateChangeEvent(plan.record, undefined, true));
        return { done: true, record: plan.record };
      }
      this.stats.conflicts++;
      this.records.set(out.existing.jobId, out.existing);
      return { done: isTerminal(out.existing.state), record: out.existing };
    }
    if (await store.replace(plan.record)) {
      this.stats.replaced++;
      this.records.set(plan.record.jobId, plan.record);
      // State changes, and a job newly flagged as pending too long, go on the bus.
      const flagged = plan.record.pending?.flagged === true && plan.previous.pending?.flagged !== true;
      if (plan.stateChanged || flagged) this.pendingEvents.push(stateChangeEvent(plan.record, plan.previous));
      if (plan.stateChanged) this.noteLag(plan.record);
      if (plan.record.state === 'LOST') this.stats.lost++;
      if (plan.deleteJob && plan.record.namespace && plan.record.jobName) {
        await this.deps.kube.deleteJob(plan.record.namespace, plan.record.jobName);
      }
      return { done: true, record: plan.record };
    }
    this.stats.conflicts++;
    const fresh = await this.deps.records.getJob(plan.record.jobId);
    if (fresh) this.records.set(fresh.jobId, fresh);
    else this.records.delete(plan.record.jobId);
    if (!fresh || isTerminal(fresh.state)) return { done: true, record: fresh };
    return { done: false, record: fresh };
  }

  /**
   * Active records whose Job was not listed (or was deleted): after the grace, one GET
   * confirms the Job is gone, one read confirms the record is still active, then LOST.
   * `final` at the end of the window: only the candidates whose grace has passed are checked.
   */
  private async confirmMissing(_final: boolean): Promise<void> {
    const now = this.now();
    const due = [...this.missing.entries()].filter(
      ([, m]) => planMissing(m.record, m.since, now, this.options.config).kind !== 'none',
    );
    await mapLimit(due, this.options.concurrency, async ([jobId, m]) => {
      try {
        const { namespace, jobName } = m.record;
        if (!namespace || !jobName) return;
        const job = await this.deps.kube.readJob(namespace, jobName);
        if (job && jobIdOf(job) === jobId) {
          this.missing.delete(jobId);
          return;
        }
        for (let attempt = 0; attempt < 3; attempt++) {
          const fresh = await this.deps.records.getJob(jobId);
          if (!fresh || isTerminal(fresh.state)) break;
          const plan = planMissing(fresh, m.since, this.now(), this.options.config);
          if (plan.kind === 'none') return;
          const outcome = await this.apply(plan);
          if (outcome.done) break;
        }
        this.missing.delete(jobId);
      } catch (error) {
        this.stats.errors++;
        this.log.error('confirming a vanished job failed', { jobId, error: String(error) });
      }
    });
  }

  private async flushEvents(): Promise<void> {
    if (this.pendingEvents.length === 0) return;
    const events = this.pendingEvents;
    this.pendingEvents = [];
    try {
      const { failed } = await this.deps.events.publish(events);
      this.stats.eventsPublished += events.length - failed;
      this.stats.eventsFailed += failed;
      if (failed > 0) this.log.error('state change events not published', { failed });
    } catch (error) {
      this.stats.eventsFailed += events.length;
      this.log.error('publishing state change events failed', { count: events.length, error: String(error) });
    }
  }

  private async watchAll(
    versions: Map<string, { jobs: string; pods: string }>,
    deadline: number,
    during: () => Promise<unknown>,
  ): Promise<void> {
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    this.options.signal?.addEventListener('abort', onAbort, { once: true });
    const loops: Promise<void>[] = [];
    for (const ns of this.options.namespaces) {
      loops.push(this.watchJobs(ns, versions.get(ns)?.jobs ?? '', deadline, stop.signal));
      loops.push(this.watchPods(ns, versions.get(ns)?.pods ?? '', deadline, stop.signal));
    }
    const flusher = this.flushLoop(deadline, stop.signal);
    try {
      await during();
      await Promise.all(loops);
    } finally {
      stop.abort();
      await Promise.allSettled(loops);
      await flusher;
      this.options.signal?.removeEventListener('abort', onAbort);
    }
    await this.serial(() => this.flushDirty());
  }

  private async watchJobs(ns: string, from: string, deadline: number, signal: AbortSignal): Promise<void> {
    let version = from;
    while (Date.now() < deadline - 250 && !signal.aborted) {
      const end = await this.deps.kube.watch(
        'jobs',
        ns,
        { resourceVersion: version, labelSelector: MANAGED_SELECTOR, deadline, signal },
        (type, job) => {
          this.stats.watchedEvents++;
          const key = `${ns}/${job.metadata?.name}`;
          this.watched.add(key);
          if (type === 'DELETED') {
            this.dirty.delete(key);
            this.deleted.set(key, this.now());
          } else {
            this.deleted.delete(key);
            this.dirty.set(key, job);
          }
        },
      );
      version = end.resourceVersion;
      if (end.expired) {
        // The watch fell out of the server's window: list again, watch from the new list.
        this.log.warn('job watch expired; listing again', { namespace: ns });
        version = await this.resyncNamespace(ns, new Set());
      }
    }
  }

  private async watchPods(ns: string, from: string, deadline: number, signal: AbortSignal): Promise<void> {
    let version = from;
    while (Date.now() < deadline - 250 && !signal.aborted) {
      const end = await this.deps.kube.watch(
        'pods',
        ns,
        { resourceVersion: version, labelSelector: JOB_NAME_LABEL, deadline, signal },
        (_type, pod) => {
          this.stats.watchedEvents++;
          const key = `${ns}/${pod.metadata?.labels?.[JOB_NAME_LABEL]}`;
          const known = this.known.get(key);
          if (known && !known.terminal && !this.dirty.has(key)) this.dirty.set(key, undefined);
        },
      );
      version = end.resourceVersion;
      if (end.expired) {
        version = await this.deps.kube.podsResourceVersion(ns);
        for (const [key, known] of this.known)
          if (!known.terminal && key.startsWith(`${ns}/`)) this.dirty.set(key, undefined);
      }
    }
  }

  private async flushLoop(deadline: number, signal: AbortSignal): Promise<void> {
    while (!signal.aborted && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, this.options.batchMs);
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          resolve();
        }
        signal.addEventListener('abort', done, { once: true });
      });
      await this.serial(() => this.flushDirty());
    }
  }

  /** Handles what the watches reported since the last batch. */
  private async flushDirty(): Promise<void> {
    if (this.dirty.size > 0) {
      const batch = [...this.dirty.entries()];
      this.dirty.clear();
      const byNamespace = new Map<string, V1Job[]>();
      for (const [key, reported] of batch) {
        const ns = key.slice(0, key.indexOf('/'));
        const known = this.known.get(key);
        const job = reported ?? known?.job;
        if (!job || (known?.terminal && !reported)) continue;
        if (known?.terminal) continue;
        const list = byNamespace.get(ns) ?? [];
        list.push(job);
        byNamespace.set(ns, list);
      }
      for (const [ns, jobs] of byNamespace) await this.handleJobs(ns, jobs, 'cache');
    }
    for (const [key, at] of this.deleted) {
      this.deleted.delete(key);
      const known = this.known.get(key);
      this.known.delete(key);
      if (!known || known.terminal) continue;
      const record = this.records.get(known.jobId);
      if (record && !isTerminal(record.state) && !this.missing.has(known.jobId)) {
        this.missing.set(known.jobId, { record, since: at });
      }
    }
    if (this.missing.size > 0) await this.confirmMissing(false);
    await this.flushEvents();
  }
}

/** Runs one invocation with the given dependencies and options. */
export function reconcile(deps: ReconcilerDeps, options: ReconcileOptions): Promise<ReconcileStats> {
  return new Reconciler(deps, options).run();
}
