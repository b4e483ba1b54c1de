import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContainerHandoff } from '../../../../functions/reconcile/handoff.ts';
import { Reconciler, reconcile } from '../../../../functions/reconcile/reconciler.ts';
import { FINALIZER, holdsFinalizer } from '../../../../shared/core/job/labels.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import type { CallOptions } from '../../../../shared/core/ports.ts';
import { DEFAULT_RECONCILE_CONFIG } from '../../../../shared/core/reconcile/plan.ts';
import { cond, job, pod, record, terminated } from '../../core/reconcile/fixtures.ts';
import { FakeKube } from '../../fakes/kube.ts';
import { MemoryStore } from '../../fakes/store.ts';

const config = { ...DEFAULT_RECONCILE_CONFIG, lostGraceSeconds: 0 };

function setup() {
  const kube = new FakeKube();
  const store = new MemoryStore();
  // The events the publish function makes of the writes (the table's stream).
  const events = {
    get published() {
      return store.events;
    },
  };
  return { kube, store, events, deps: { kube, store, reader: store } };
}

function seed(kube: FakeKube, store: MemoryStore, n: number, status = { active: 1, ready: 1 }): void {
  for (let i = 0; i < n; i++) {
    const name = `job-${i}`;
    kube.add(job(name, status));
    store.items.set(`id-${name}`, record('SUBMITTED', { jobId: `id-${name}`, jobName: name }));
  }
}

describe('Reconciler resync', () => {
  it('lists in pages of 500, reads no pods for running jobs, writes each changed job once', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 1200);
    const first = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(first.kube.listJobs, 3);
    assert.equal(first.kube.listPods, 0);
    assert.equal(first.writes, 1200);
    assert.equal(first.replaced, 1200);
    assert.equal(store.items.get('id-job-7')?.state, 'RUNNING');
  });

  it("bounds every DynamoDB call by the invocation's deadline", async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 3);
    const deadlines: (number | undefined)[] = [];
    const scan = store.scanActive.bind(store);
    const replace = store.replace.bind(store);
    store.scanActive = (call?: CallOptions) => {
      deadlines.push(call?.deadline);
      return scan();
    };
    store.replace = (next: JobRecord, call?: CallOptions) => {
      deadlines.push(call?.deadline);
      return replace(next);
    };
    const deadline = Date.now() + 30_000;
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config, deadline });
    assert.ok(deadlines.length >= 4, `${deadlines.length} calls seen`);
    assert.deepEqual(new Set(deadlines), new Set([deadline]));
  });

  it('a quiet pass writes nothing and calls only LIST', async () => {
    const { kube, store, deps, events } = setup();
    seed(kube, store, 600);
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    const published = events.published.length;
    const quiet = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(quiet.writes, 0);
    assert.equal(quiet.kube.listJobs, 2);
    assert.equal(quiet.kube.listPods + quiet.kube.getJob + quiet.kube.podLogs, 0);
    // One scan of the active set's index entries; no record is read: each Job is as last written.
    assert.equal(quiet.dynamoReads, 1);
    assert.equal(quiet.quiet, 600);
    assert.equal(events.published.length, published);
  });

  it('reports the lag from the last pod finishing to the terminal write, and none on a quiet pass', async () => {
    const { kube, store, deps } = setup();
    kube.add(job('done', { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] }));
    kube.pods.push(pod('done-p', { job: 'done', phase: 'Succeeded', state: terminated(0) }));
    store.items.set('id-done', record('RUNNING', { jobId: 'id-done', jobName: 'done' }));
    const first = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    const finished = Date.parse(store.items.get('id-done')?.result?.finishedAt ?? '');
    assert.ok(Number.isFinite(finished), 'the result records when the pod finished');
    const expected = (Date.now() - finished) / 1000;
    assert.ok(first.maxLagSeconds !== undefined && Math.abs(first.maxLagSeconds - expected) < 5);
    const quiet = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(quiet.maxLagSeconds, undefined);
  });

  it('lists pods once per page, only for the jobs that need them', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 10);
    kube.add(job('waiting', { active: 1, ready: 0 }));
    store.items.set('id-waiting', record('SUBMITTED', { jobId: 'id-waiting', jobName: 'waiting' }));
    kube.pods.push(
      pod('w1', {
        job: 'waiting',
        scheduled: { status: 'False', reason: 'Unschedulable', message: 'no fit' },
      }),
    );
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(stats.kube.listPods, 1);
    assert.deepEqual(store.items.get('id-waiting')?.pending?.reason, 'Unschedulable');
  });

  it('captures results and the log tail on the terminal write, and publishes each transition', async () => {
    const { kube, store, deps, events } = setup();
    kube.add(job('done', { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] }));
    kube.pods.push(pod('done-p', { job: 'done', phase: 'Succeeded', state: terminated(0, 'result=42') }));
    store.items.set('id-done', record('RUNNING', { jobId: 'id-done', jobName: 'done' }));
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    const r = store.items.get('id-done');
    assert.equal(r?.state, 'SUCCEEDED');
    assert.equal(r?.result?.pods[0]?.message, 'result=42');
    assert.equal(r?.result?.pods[0]?.logTail, 'log of done-p\n');
    assert.deepEqual(
      events.published.map((e) => [e.detail.jobId, e.detail.previousState, e.detail.state]),
      [['id-done', 'RUNNING', 'SUCCEEDED']],
    );
  });

  it('adopts a managed Job that has no record', async () => {
    const { kube, store, deps, events } = setup();
    kube.add(job('orphan', { active: 1, ready: 1 }, { jobId: 'orphan-id', owner: 'team-o' }));
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(stats.created, 1);
    assert.equal(store.items.get('orphan-id')?.owner, 'team-o');
    assert.equal(events.published[0]?.detail.adopted, true);
  });

  it('marks an active record whose Job vanished LOST (after a GET confirms), never a terminal one', async () => {
    const { store, deps, kube } = setup();
    store.items.set('id-gone', record('RUNNING', { jobId: 'id-gone', jobName: 'gone' }));
    store.items.set('id-ttl', record('SUCCEEDED', { jobId: 'id-ttl', jobName: 'ttl' }));
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(stats.lost, 1);
    assert.equal(kube.counters.getJob, 1);
    assert.equal(store.items.get('id-gone')?.state, 'LOST');
    assert.equal(store.items.get('id-ttl')?.state, 'SUCCEEDED');
  });

  it('waits out the grace before LOST when the record was written just now', async () => {
    const { store, deps } = setup();
    store.items.set(
      'id-gone',
      record('RUNNING', { jobId: 'id-gone', jobName: 'gone', updatedAt: new Date().toISOString() }),
    );
    const stats = await reconcile(deps, {
      namespaces: ['jobs'],
      windowMs: 0,
      config: { ...config, lostGraceSeconds: 30 },
    });
    assert.equal(stats.lost, 0);
    assert.equal(store.items.get('id-gone')?.state, 'RUNNING');
  });

  it('on a lost race re-reads and never regresses a terminal state another writer recorded', async () => {
    const { kube, store, deps, events } = setup();
    kube.add(job('raced', { active: 1, ready: 1 }));
    store.items.set('id-raced', record('PENDING', { jobId: 'id-raced', jobName: 'raced' }));
    store.beforeReplace = (next) => {
      store.beforeReplace = undefined;
      // Another reconciler (or the cancel path) wins: the record is terminal now.
      const current = store.items.get(next.jobId);
      if (current)
        store.items.set(next.jobId, { ...current, state: 'CANCELLED', version: current.version + 1 });
    };
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(stats.conflicts, 1);
    assert.equal(store.items.get('id-raced')?.state, 'CANCELLED');
    assert.equal(events.published.length, 0);
  });

  it('two overlapping reconcilers: each transition written and published once', async () => {
    const { kube, store, events } = setup();
    seed(kube, store, 50);
    const a = new Reconciler({ kube, store, reader: store }, { namespaces: ['jobs'], windowMs: 0, config });
    const b = new Reconciler({ kube, store, reader: store }, { namespaces: ['jobs'], windowMs: 0, config });
    const [sa, sb] = await Promise.all([a.run(), b.run()]);
    assert.equal(sa.replaced + sb.replaced, 50);
    assert.equal(events.published.length, 50);
    for (const r of store.items.values()) assert.equal(r.version, 2);
  });

  it('fails a job pending too long when configured, deleting its Job', async () => {
    const { kube, store, deps } = setup();
    kube.add(job('stuck', { active: 1, ready: 0 }));
    kube.pods.push(
      pod('s1', { job: 'stuck', scheduled: { status: 'False', reason: 'Unschedulable', message: 'no fit' } }),
    );
    store.items.set(
      'id-stuck',
      record('PENDING', {
        jobId: 'id-stuck',
        jobName: 'stuck',
        pending: { reason: 'Unschedulable', message: 'no fit', since: '2000-01-01T00:00:00.000Z' },
      }),
    );
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config: { ...config, failOnPending: true } });
    assert.equal(store.items.get('id-stuck')?.state, 'FAILED');
    assert.equal(kube.jobs.has('jobs/stuck'), false);
  });
});

describe('Reconciler watch', () => {
  it('handles Job events within the window, the watch winning over an older list', async () => {
    const { kube, store, deps, events } = setup();
    seed(kube, store, 1);
    kube.jobEvents.push({
      type: 'MODIFIED',
      job: job('job-0', { failed: 1, conditions: [cond('Failed', 'BackoffLimitExceeded', 'too many')] }),
    });
    kube.pods.push(pod('job-0-x', { job: 'job-0', phase: 'Failed', state: terminated(9, 'bad') }));
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 600, batchMs: 50, config });
    assert.equal(store.items.get('id-job-0')?.state, 'FAILED');
    assert.equal(store.items.get('id-job-0')?.result?.pods[0]?.exitCode, 9);
    // The watch delivered the Failed Job before the resync reached it: the resync left it alone.
    assert.deepEqual(
      events.published.map((e) => e.detail.state),
      ['FAILED'],
    );
    assert.equal(stats.resyncs, 1);
  });

  it('a DELETED event of an active job is LOST at once: the grace is for lists only', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 1);
    kube.jobEvents.push({ type: 'DELETED', job: job('job-0', { active: 1, ready: 1 }) });
    const withGrace = { ...DEFAULT_RECONCILE_CONFIG, lostGraceSeconds: 3600 };
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 500, batchMs: 50, config: withGrace });
    assert.equal(store.items.get('id-job-0')?.state, 'LOST');
    assert.equal(store.items.get('id-job-0')?.reason, 'JobDeleted');
  });

  it('a Job missing from a list waits for the grace before it is LOST', async () => {
    const { store, deps } = setup();
    const now = new Date().toISOString();
    store.items.set('id-gone', record('RUNNING', { jobId: 'id-gone', jobName: 'gone', updatedAt: now }));
    const withGrace = { ...DEFAULT_RECONCILE_CONFIG, lostGraceSeconds: 3600 };
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 300, batchMs: 50, config: withGrace });
    assert.equal(store.items.get('id-gone')?.state, 'RUNNING');
  });

  it('hands the watch on: the next invocation watches from where this one ended, without a probe', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 1);
    const handoff = new ContainerHandoff(60_000);
    kube.watchReaches = '250';
    const first = await reconcile(
      { ...deps, handoff },
      { namespaces: ['jobs'], windowMs: 300, batchMs: 50, config },
    );
    assert.equal(first.handedOver, false);
    kube.watchedFrom.length = 0;
    // What happened between the two invocations is in the watch from 250: here, the job failed.
    kube.jobEvents.push({
      type: 'MODIFIED',
      job: job('job-0', { failed: 1, conditions: [cond('Failed', 'BackoffLimitExceeded', 'too many')] }),
    });
    const second = await reconcile(
      { ...deps, handoff },
      { namespaces: ['jobs'], windowMs: 300, batchMs: 50, config },
    );
    assert.equal(second.handedOver, true);
    assert.deepEqual(
      kube.watchedFrom.slice(0, 2).map((w) => w.resourceVersion),
      ['250', '250'],
    );
    // The resync's LIST only: no limit=1 LISTs for a starting version.
    assert.equal(second.kube.listJobs, 1);
    assert.equal(store.items.get('id-job-0')?.state, 'FAILED');
  });

  it('leaves nothing to hand on when the invocation fails, and ignores versions past their age', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 1);
    const handoff = new ContainerHandoff(60_000);
    kube.failNextJobWatch = new Error('connection reset');
    await reconcile({ ...deps, handoff }, { namespaces: ['jobs'], windowMs: 300, batchMs: 50, config });
    assert.equal(handoff.take(Date.now()), undefined);
    handoff.leave({ jobs: { jobs: '7', pods: '7' } }, Date.now() - 61_000);
    const next = await reconcile(
      { ...deps, handoff },
      { namespaces: ['jobs'], windowMs: 300, batchMs: 50, config },
    );
    assert.equal(next.handedOver, false);
  });

  it('a DELETED event that carries a terminal status records the outcome, not LOST', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 1);
    kube.jobEvents.push({
      type: 'MODIFIED',
      job: job('job-0', { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] }),
    });
    kube.jobEvents.push({
      type: 'DELETED',
      job: job('job-0', { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] }),
    });
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 500, batchMs: 50, config });
    assert.equal(store.items.get('id-job-0')?.state, 'SUCCEEDED');
  });

  it('a watch that fails ends the invocation cleanly: writes done, error counted, nothing rejects', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 2);
    kube.failNextJobWatch = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    const started = Date.now();
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 5000, batchMs: 50, config });
    assert.ok(Date.now() - started < 4000, 'ended early, not at the end of the window');
    assert.equal(stats.errors, 1);
    assert.match(stats.aborted ?? '', /fetch failed/);
    assert.equal(store.items.get('id-job-1')?.state, 'RUNNING', 'the resync still wrote');
  });

  it('a resync that fails ends the invocation cleanly with the error counted', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 1);
    store.scanActive = async function* () {
      yield* [];
      throw new Error('DynamoDB unavailable');
    };
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 300, batchMs: 50, config });
    assert.equal(stats.errors, 1);
    assert.match(stats.aborted ?? '', /DynamoDB unavailable/);
  });

  it('an expired watch (410) lists again and watches on', async () => {
    const { kube, store, deps } = setup();
    seed(kube, store, 3);
    kube.expireNextJobWatch = true;
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 500, batchMs: 50, config });
    // The resourceVersion probe, the resync's LIST, and the LIST after the 410.
    assert.equal(stats.kube.listJobs, 3);
    assert.equal(stats.errors, 0);
    assert.equal(store.items.get('id-job-2')?.state, 'RUNNING');
  });

  it('publishes one event when a pending job is flagged, none while it stays flagged', async () => {
    const { kube, store, deps, events } = setup();
    kube.add(job('slow', { active: 1, ready: 0 }));
    kube.pods.push(
      pod('s1', { job: 'slow', scheduled: { status: 'False', reason: 'Unschedulable', message: 'no fit' } }),
    );
    const since = new Date(Date.now() - 120_000).toISOString();
    store.items.set(
      'id-slow',
      record('PENDING', {
        jobId: 'id-slow',
        jobName: 'slow',
        reason: 'Unschedulable',
        message: 'no fit',
        pending: { reason: 'Unschedulable', message: 'no fit', since },
      }),
    );
    const options = { namespaces: ['jobs'], windowMs: 0, config: { ...config, pendingLimitSeconds: 60 } };
    await reconcile(deps, options);
    await reconcile(deps, options);
    assert.equal(store.items.get('id-slow')?.pending?.flagged, true);
    assert.deepEqual(
      events.published.map((e) => [e.detail.previousState, e.detail.state, e.detail.pending?.flagged]),
      [['PENDING', 'PENDING', true]],
    );
  });
});

describe('Reconciler and our finalizer', () => {
  const held = <T extends { metadata?: { finalizers?: string[] } }>(object: T): T => {
    object.metadata = { ...object.metadata, finalizers: [FINALIZER] };
    return object;
  };

  it('records a finished, held Job with its results, then releases its pods and the Job', async () => {
    const { kube, store, deps } = setup();
    const done = held(job('done', { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] }));
    done.metadata = { ...done.metadata, deletionTimestamp: new Date() }; // the TTL controller's delete waits
    kube.add(done);
    kube.pods.push(
      held(pod('done-p', { job: 'done', phase: 'Succeeded', state: terminated(0, 'all good') })),
    );
    store.items.set('id-done', record('RUNNING', { jobId: 'id-done', jobName: 'done' }));
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    const recorded = store.items.get('id-done');
    assert.equal(recorded?.state, 'SUCCEEDED');
    assert.equal(recorded?.result?.pods[0]?.exitCode, 0);
    assert.equal(holdsFinalizer(kube.pods[0] ?? {}), false, 'the pod is released');
    assert.equal(kube.jobs.has('jobs/done'), false, 'released, the pending delete completed');
  });

  it('a running Job under a terminal record is deleted and released', async () => {
    const { kube, store, deps } = setup();
    kube.add(held(job('stray', { active: 1, ready: 1 })));
    store.items.set('id-stray', record('CANCELLED', { jobId: 'id-stray', jobName: 'stray' }));
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(stats.kube.deleteJob, 1);
    assert.equal(holdsFinalizer(kube.jobs.get('jobs/stray') ?? {}), false);
    assert.equal(store.items.get('id-stray')?.state, 'CANCELLED');
  });

  it('a held Job deleted before it finished is LOST at once, then released', async () => {
    const { kube, store, deps } = setup();
    const deleting = held(job('gone', { active: 1, ready: 1 }));
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: new Date() };
    kube.add(deleting);
    store.items.set('id-gone', record('RUNNING', { jobId: 'id-gone', jobName: 'gone' }));
    await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config: DEFAULT_RECONCILE_CONFIG });
    assert.equal(store.items.get('id-gone')?.state, 'LOST');
    assert.equal(store.items.get('id-gone')?.reason, 'JobDeleted');
    assert.equal(kube.jobs.has('jobs/gone'), false);
  });

  it('a deleted pod we hold whose Job is gone is released (it appeared after its Job was settled)', async () => {
    const { kube, deps } = setup();
    const stray = held(pod('late', { job: 'gone-job', phase: 'Running' }));
    stray.metadata = { ...stray.metadata, deletionTimestamp: new Date() };
    kube.pods.push(stray);
    kube.podEvents.push({ type: 'MODIFIED', pod: stray });
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 400, batchMs: 50, config });
    assert.equal(holdsFinalizer(stray), false);
    assert.equal(stats.errors, 0);
  });

  it('a quiet pass over released, recorded Jobs makes no release call', async () => {
    const { kube, store, deps } = setup();
    kube.add(job('old', { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] }));
    store.items.set('id-old', record('SUCCEEDED', { jobId: 'id-old', jobName: 'old' }));
    const stats = await reconcile(deps, { namespaces: ['jobs'], windowMs: 0, config });
    assert.equal(stats.kube.releases + stats.kube.deleteJob + stats.kube.listPods, 0);
  });
});
