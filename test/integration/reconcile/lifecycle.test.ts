// The life around a Job: cancellation, TTL deletion, deletion by hand, orphans, and two
// reconcilers at once, on the real stack with the runner identity.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { ANNOTATIONS, FINALIZER } from '../../../shared/core/job/labels.ts';
import { planCancel } from '../../../shared/core/submit/cancel-plan.ts';
import {
  deleteJob,
  eventTap,
  eventually,
  FAST_CONFIG,
  jobCondition,
  jobManifest,
  podsOf,
  queries,
  readJob,
  reconciledUntil,
  reconcilerDeps,
  removeJob,
  runReconcile,
  store,
  submit,
  type TestJob,
  uniqueJob,
} from './support.ts';

const created: TestJob[] = [];
after(async () => {
  await Promise.all(created.map(removeJob));
});

function track(t: TestJob): TestJob {
  created.push(t);
  return t;
}

describe('reconcile lifecycle on the local stack', () => {
  it('cancellation observed: the CANCELLED record (written by the cancel path) stays, never LOST', async () => {
    const t = track(uniqueJob('cancel'));
    await submit(t, jobManifest(t, { podAnnotations: { 'outcome.local/duration': '120s' } }));
    await reconciledUntil(t, (r) => r.state === 'RUNNING');
    // A reconciler watches while the cancel path runs: record CANCELLED, then delete the Job.
    const watching = runReconcile({ windowMs: 6000 });
    await delay(1000);
    const existing = await queries.getJob(t.jobId);
    const plan = planCancel(
      existing,
      { action: 'cancel', jobId: t.jobId, requestedBy: 'alice', reason: 'not needed' } as never,
      {
        at: new Date().toISOString(),
        sourceMessageId: 'm-1',
        retentionSeconds: 3600,
      },
    );
    assert.equal(plan.action, 'cancel');
    if (plan.action !== 'cancel') return;
    assert.ok(await store.replace(plan.next));
    await deleteJob(t);
    const stats = await watching;
    assert.equal(stats.errors, 0);
    await eventually('the Job gone', async () => ((await readJob(t)) ? undefined : true));
    await runReconcile();
    const r = await queries.getJob(t.jobId);
    assert.equal(r?.state, 'CANCELLED');
    assert.equal(r?.version, plan.next.version, 'the reconciler wrote nothing after the cancel');
    assert.equal(r?.cancellation?.by, 'alice');
  });

  it('a TTL-deleted Job whose terminal state was recorded first keeps its state and results', async () => {
    const t = track(uniqueJob('ttl'));
    // One invocation watches over the whole life of the Job: the terminal state is recorded
    // from the watch before the TTL controller deletes the Job 2 s after it finished.
    const watching = runReconcile({ windowMs: 15_000 });
    await submit(
      t,
      jobManifest(t, {
        spec: { ttlSecondsAfterFinished: 2 },
        podAnnotations: { 'outcome.local/duration': '1s', 'outcome.local/message': 'kept after TTL' },
      }),
    );
    const stats = await watching;
    assert.equal(stats.errors, 0);
    const recorded = await queries.getJob(t.jobId);
    assert.equal(recorded?.state, 'SUCCEEDED', JSON.stringify(recorded?.history));
    await eventually(
      'the TTL controller deleted the Job',
      async () => ((await readJob(t)) ? undefined : true),
      30_000,
      500,
    );
    await runReconcile({ windowMs: 3000 });
    const r = await queries.getJob(t.jobId);
    assert.equal(r?.state, 'SUCCEEDED');
    assert.equal(r?.result?.pods[0]?.message, 'kept after TTL');
  });

  it('a Job made before our finalizer, deleted by hand -> LOST (after the grace), with an event', async () => {
    const t = track(uniqueJob('byhand'));
    const tap = await eventTap([t.jobId]);
    try {
      await submit(t, jobManifest(t, { held: false, podAnnotations: { 'outcome.local/duration': '120s' } }));
      await reconciledUntil(t, (r) => r.state === 'RUNNING');
      await deleteJob(t);
      await eventually('the Job gone', async () => ((await readJob(t)) ? undefined : true));
      // The watch sees DELETED; LOST is written once the grace (2 s here) has passed.
      const r = await reconciledUntil(t, (x) => x.state === 'LOST', 20_000);
      assert.equal(r.reason, 'JobDeleted');
      const events = await eventually('the LOST event', async () => {
        const got = await tap.received();
        return got.some((e) => e.detail.state === 'LOST') ? got : undefined;
      });
      assert.equal(events.filter((e) => e.detail.state === 'LOST').length, 1);
    } finally {
      await tap.close();
    }
  });

  it('a held Job deleted by hand waits for its record: LOST at once, then released and gone', async () => {
    const t = track(uniqueJob('held'));
    await submit(t, jobManifest(t, { podAnnotations: { 'outcome.local/duration': '120s' } }));
    await reconciledUntil(t, (r) => r.state === 'RUNNING');
    await deleteJob(t);
    const deleting = await readJob(t);
    assert.ok(deleting?.metadata?.deletionTimestamp, 'our finalizer holds the deleted Job');
    const r = await reconciledUntil(t, (x) => x.state === 'LOST', 20_000);
    assert.equal(r.reason, 'JobDeleted');
    await eventually('the released Job gone', async () => ((await readJob(t)) ? undefined : true), 20_000);
    await eventually(
      'its pods gone',
      async () => ((await podsOf(t)).length === 0 ? true : undefined),
      20_000,
    );
  });

  it('reconcile down while a Job with TTL 0 finishes: the Job waits, its outcome and results are kept', async () => {
    const t = track(uniqueJob('ttl0'));
    await submit(
      t,
      jobManifest(t, {
        spec: { ttlSecondsAfterFinished: 0 },
        podAnnotations: {
          'outcome.local/duration': '500ms',
          'outcome.local/exit-code': '3',
          'outcome.local/message': 'kept while nobody watched',
        },
      }),
    );
    // No reconcile runs: the Job fails, the TTL controller deletes it at once, and our finalizer
    // holds the Job and its pod.
    const held = await eventually(
      'the finished Job deleted by its TTL and held',
      async () => {
        const job = await readJob(t);
        return job?.metadata?.deletionTimestamp ? job : undefined;
      },
      30_000,
      500,
    );
    assert.ok(held.metadata?.finalizers?.includes(FINALIZER));
    assert.equal((await podsOf(t)).length, 1, 'the pod is held too');
    const r = await reconciledUntil(t, (x) => x.state === 'FAILED', 20_000);
    assert.equal(r.result?.pods[0]?.exitCode, 3);
    assert.equal(r.result?.pods[0]?.message, 'kept while nobody watched');
    assert.ok(r.result?.pods[0]?.logTail, 'the log tail was read before the pod went');
    await eventually('the released Job gone', async () => ((await readJob(t)) ? undefined : true), 20_000);
    await eventually('its pod gone', async () => ((await podsOf(t)).length === 0 ? true : undefined), 20_000);
  });

  it('a finished Job released by reconcile is marked settled, and the next resync reads no record for it', async () => {
    const t = track(uniqueJob('settled'));
    await submit(t, jobManifest(t, { podAnnotations: { 'outcome.local/duration': '500ms' } }));
    await reconciledUntil(t, (x) => x.state === 'SUCCEEDED');
    const released = await eventually(
      'the Job released',
      async () => {
        await runReconcile();
        const job = await readJob(t);
        return job && !job.metadata?.finalizers?.includes(FINALIZER) ? job : undefined;
      },
      20_000,
    );
    assert.equal(released.metadata?.annotations?.[ANNOTATIONS.settled], 'SUCCEEDED');
    const deps = reconcilerDeps();
    const readByKey: string[] = [];
    const getJobs = deps.reader.getJobs.bind(deps.reader);
    deps.reader.getJobs = (ids) => {
      readByKey.push(...ids);
      return getJobs(ids);
    };
    const stats = await runReconcile({}, deps);
    assert.ok(stats.settledSkipped >= 1, `settled Jobs skipped: ${stats.settledSkipped}`);
    assert.ok(!readByKey.includes(t.jobId), "the settled Job's record was read by key");
    assert.equal((await store.get(t.jobId))?.state, 'SUCCEEDED');
  });

  it('orphan adoption: a managed Job with no record gets one from its labels and annotations', async () => {
    const t = track(uniqueJob('orphan'));
    await submit(t, jobManifest(t, { podAnnotations: { 'outcome.local/duration': '1s' } }), false);
    const r = await reconciledUntil(t, (x) => x.state === 'SUCCEEDED');
    assert.equal(r.owner, t.owner);
    assert.equal(r.jobName, t.jobName);
    assert.equal(r.namespace, t.namespace);
    assert.equal(r.requestHash, 'test-hash');
    assert.equal(r.history[0]?.reason, 'Adopted');
  });

  it('two overlapping reconcilers never regress a terminal state and publish each transition once', async () => {
    const jobs = Array.from({ length: 6 }, (_, i) => track(uniqueJob(`overlap${i}`)));
    const tap = await eventTap(jobs.map((t) => t.jobId));
    try {
      for (const t of jobs)
        await submit(t, jobManifest(t, { podAnnotations: { 'outcome.local/duration': '2s' } }));
      // Two invocations at once, both watching, as when a slow invocation overlaps the next.
      const [a, b] = await Promise.all([runReconcile({ windowMs: 9000 }), runReconcile({ windowMs: 9000 })]);
      for (const t of jobs) await jobCondition(t, 'Complete');
      // A third, late reconciler changes none of these records.
      const before = await queries.getJobs(jobs.map((t) => t.jobId));
      await runReconcile({ windowMs: 0 });
      const found = await queries.getJobs(jobs.map((t) => t.jobId));
      for (const t of jobs) {
        const r = found.get(t.jobId);
        assert.equal(r?.state, 'SUCCEEDED', `${t.jobId}: ${r?.state}`);
        assert.equal(r?.version, r?.history.length, 'one version per transition: no duplicate writes');
        assert.equal(r?.version, before.get(t.jobId)?.version, 'no write on a quiet pass');
      }
      assert.equal(a.errors + b.errors, 0);
      const events = await eventually('every terminal event', async () => {
        const got = await tap.received();
        return got.filter((e) => e.detail.state === 'SUCCEEDED').length >= jobs.length ? got : undefined;
      });
      const keys = events.map((e) => `${e.detail.jobId}@${e.detail.version}`);
      assert.equal(new Set(keys).size, keys.length, 'no event published twice');
    } finally {
      await tap.close();
    }
  });

  it('FAST_CONFIG keeps the LOST grace short for these tests', () => {
    assert.equal(FAST_CONFIG.lostGraceSeconds, 2);
  });
});
