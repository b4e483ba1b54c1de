import { MANAGED_SELECTOR } from '../../shared/core/job/labels.ts';
import type { Log } from '../../shared/core/ports.ts';
import { DEFAULT_RECONCILE_CONFIG } from '../../shared/core/reconcile/plan.ts';
import { readerUntil, storeUntil } from '../../shared/runtime/deadline.ts';
import type { Invocation, Parts, ReconcileOptions, ReconcilerDeps } from './context.ts';
import { Finalizers } from './finalizers.ts';
import type { WatchVersions } from './handoff.ts';
import { JobBatches } from './job-batch.ts';
import { JobWriter } from './job-writer.ts';
import { LostJobs } from './lost-jobs.ts';
import { Resync } from './resync.ts';
import { Serial } from './serial.ts';
import { callsSince, emptyStats, type ReconcileStats } from './stats.ts';
import { Suspension } from './suspension.ts';
import { WatchLoop } from './watch-loop.ts';

export type { ReconcileOptions, ReconcilerDeps } from './context.ts';
export type { ReconcileStats } from './stats.ts';

const silent: Log = { info() {}, warn() {}, error() {}, child: () => silent };

/**
 * One invocation of the reconciler: a full resync (paginated LIST of managed Jobs, the pods only
 * of the jobs that need them, a batched read of their records, conditional writes of what
 * changed), then a watch of Jobs and pods from the resourceVersion current at the start until the
 * window ends. The watches start first and are handled while the resync runs (the two take turns),
 * so that a job finishing during a long resync is recorded as fast as one finishing later; the
 * resync leaves alone the Jobs the watch has already delivered (the watch, in order, is newer).
 * A failure of the resync or of a watch ends the invocation early and cleanly: what was planned
 * is written and published, the error counted, nothing rejects unhandled.
 */
export class Reconciler {
  private readonly invocation: Invocation;
  private readonly parts: Parts;
  private readonly kubeStart;
  private readonly readsStart: number;
  /** Where the watches ended, once they all ended cleanly. */
  private reached: WatchVersions | undefined;

  constructor(given: ReconcilerDeps, options: ReconcileOptions) {
    const { deadline, ...rest } = options;
    const deps = deadline === undefined ? given : untilDeadline(given, deadline);
    const settings = {
      config: DEFAULT_RECONCILE_CONFIG,
      logTailLines: 50,
      batchMs: 200,
      concurrency: 16,
      ...rest,
    };
    this.invocation = {
      deps,
      settings,
      log: deps.log ?? silent,
      stats: emptyStats(deps.kube.counters),
      tracked: new Map(),
      watched: new Set(),
      records: new Map(),
      now: () => (deps.now?.() ?? new Date()).toISOString(),
    };
    this.kubeStart = { ...deps.kube.counters };
    this.readsStart = deps.reader.counters?.calls ?? 0;
    const run = this.invocation;
    const parts = { serial: new Serial(), finalizers: new Finalizers(run) } as Parts;
    parts.writer = new JobWriter(run, parts);
    parts.lost = new LostJobs(run, parts);
    parts.batches = new JobBatches(run, parts);
    parts.resync = new Resync(run, parts);
    parts.watch = new WatchLoop(run, parts);
    parts.suspension = new Suspension(run, parts);
    this.parts = parts;
  }

  /** Counters since this reconciler was built. */
  snapshot(): ReconcileStats {
    const { stats, deps } = this.invocation;
    stats.kube = callsSince(deps.kube.counters, this.kubeStart);
    stats.dynamoReads = (deps.reader.counters?.calls ?? 0) - this.readsStart;
    return { ...stats, kube: { ...stats.kube } };
  }

  /** The whole invocation: resync, then watch for the rest of the window. */
  async run(): Promise<ReconcileStats> {
    const { settings, deps } = this.invocation;
    const watching = settings.windowMs > 0;
    // Every invocation looks at the queue once, whatever it sees: a pass a fault cut short is redone.
    deps.admission?.request();
    try {
      if (watching) await this.resyncWhileWatching(Date.now() + settings.windowMs);
      else await this.parts.resync.all();
    } catch (error) {
      this.abort(error);
    }
    const windowEnded = Date.now();
    try {
      if (watching) await this.parts.serial.run(() => this.parts.watch.flush());
      await this.parts.serial.run(() => this.parts.lost.confirm());
      // Every event up to `reached` is handled now: the next invocation may watch on from there.
      if (this.reached && !this.invocation.stats.aborted) deps.handoff?.leave(this.reached, Date.now());
    } catch (error) {
      this.abort(error);
    }
    await deps.admission?.settle();
    this.invocation.stats.finishMs = Date.now() - windowEnded;
    return this.snapshot();
  }

  private async resyncWhileWatching(deadline: number): Promise<void> {
    const { deps, settings } = this.invocation;
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    settings.signal?.addEventListener('abort', onAbort, { once: true });
    let failure: unknown;
    // Every loop has its handler from the start: the first failure stops the others.
    const fail = (error: unknown): void => {
      failure ??= error;
      stop.abort();
    };
    const loops: Promise<void>[] = [];
    const handedOver = deps.handoff?.take(Date.now());
    const reached: WatchVersions = {};
    this.invocation.stats.handedOver = handedOver !== undefined;
    try {
      for (const namespace of settings.namespaces) {
        const from = handedOver?.[namespace];
        const jobsFrom = from?.jobs ?? (await deps.kube.jobsResourceVersion(namespace, MANAGED_SELECTOR));
        const podsFrom = from?.pods ?? (await deps.kube.podsResourceVersion(namespace));
        const versions = { jobs: '', pods: '' };
        reached[namespace] = versions;
        const { watch } = this.parts;
        loops.push(
          watch.jobs(namespace, jobsFrom, deadline, stop.signal).then((v) => {
            versions.jobs = v;
          }, fail),
          watch.pods(namespace, podsFrom, deadline, stop.signal).then((v) => {
            versions.pods = v;
          }, fail),
        );
      }
      loops.push(this.parts.watch.flushEvery(deadline, stop.signal).catch(fail));
      await this.parts.resync.all().catch(fail);
      await Promise.all(loops);
    } finally {
      stop.abort();
      await Promise.all(loops);
      settings.signal?.removeEventListener('abort', onAbort);
    }
    if (failure !== undefined) throw failure;
    this.reached = reached;
  }

  private abort(error: unknown): void {
    const { stats, log } = this.invocation;
    stats.errors++;
    stats.aborted ??= error instanceof Error ? error.message : String(error);
    log.error('reconcile ended early; what it had planned was written', { error: String(error) });
  }
}

/** The invocation's DynamoDB calls bound by its deadline. */
function untilDeadline(deps: ReconcilerDeps, deadline: number): ReconcilerDeps {
  const call = { deadline };
  return { ...deps, store: storeUntil(deps.store, call), reader: readerUntil(deps.reader, call) };
}

/** Runs one invocation with the given dependencies and options. */
export function reconcile(deps: ReconcilerDeps, options: ReconcileOptions): Promise<ReconcileStats> {
  return new Reconciler(deps, options).run();
}
