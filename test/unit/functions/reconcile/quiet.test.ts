// The resync's quiet Jobs (shared/core/reconcile/quiet.ts): left alone without a read of their record,
// and every other behaviour kept for the rest.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcile } from '../../../../functions/reconcile/reconciler.ts';
import { DEFAULT_RECONCILE_CONFIG } from '../../../../shared/core/reconcile/plan.ts';
import { cond, job, pod, record, terminated } from '../../core/reconcile/fixtures.ts';
import { FakeKube, stamped } from '../../fakes/kube.ts';
import { MemoryStore } from '../../fakes/store.ts';

const config = { ...DEFAULT_RECONCILE_CONFIG, lostGraceSeconds: 0 };
const once = { namespaces: ['jobs'], windowMs: 0, config };

/** `n` running Jobs and their records, reconciled once: each record now observes its Job. */
async function settled(n: number) {
  const kube = new FakeKube();
  const store = new MemoryStore();
  for (let i = 0; i < n; i++) {
    kube.add(job(`job-${i}`, { active: 1, ready: 1 }));
    store.items.set(`id-job-${i}`, record('SUBMITTED', { jobId: `id-job-${i}`, jobName: `job-${i}` }));
  }
  const deps = { kube, store, reader: store };
  await reconcile(deps, once);
  /** The ids of the records read by key from now on. */
  const readByKey: string[] = [];
  const getJobs = store.getJobs.bind(store);
  store.getJobs = (ids) => {
    readByKey.push(...ids);
    return getJobs(ids);
  };
  return { kube, store, deps, readByKey };
}

describe('Reconciler resync: quiet Jobs', () => {
  it('reads the record of only the Job that changed, and writes it', async () => {
    const { kube, deps, store, readByKey } = await settled(20);
    const changed = kube.jobs.get('jobs/job-3');
    if (changed) changed.status = { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] };
    kube.pods.push(pod('job-3-p', { job: 'job-3', phase: 'Succeeded', state: terminated(0) }));
    const stats = await reconcile(deps, once);
    assert.deepEqual(readByKey, ['id-job-3']);
    assert.equal(stats.quiet, 19);
    assert.equal(stats.writes, 1);
    assert.equal(store.items.get('id-job-3')?.state, 'SUCCEEDED');
  });

  it('reads a record another writer wrote since, though its Job is unchanged', async () => {
    const { deps, store, readByKey } = await settled(3);
    const r = store.items.get('id-job-1');
    // A write that is not reconcile's (say, one by admission) bumps the version past the observed one.
    if (r) store.items.set(r.jobId, { ...r, reason: 'SomethingElse', version: r.version + 1 });
    const stats = await reconcile(deps, once);
    assert.deepEqual(readByKey, ['id-job-1']);
    assert.equal(stats.quiet, 2);
    // Planned on the record as it is: the Job shows RUNNING without a reason, so that is written.
    assert.equal(store.items.get('id-job-1')?.reason, undefined);
  });

  it('always reads a PENDING record: its pending limit flags it although nothing in Kubernetes moved', async () => {
    const kube = new FakeKube();
    const store = new MemoryStore();
    kube.add(job('slow', { active: 1, ready: 0 }));
    kube.pods.push(
      pod('s1', { job: 'slow', scheduled: { status: 'False', reason: 'Unschedulable', message: 'no fit' } }),
    );
    store.items.set('id-slow', record('SUBMITTED', { jobId: 'id-slow', jobName: 'slow' }));
    const deps = { kube, store, reader: store };
    await reconcile(deps, once);
    assert.equal(store.items.get('id-slow')?.pending?.flagged, undefined);
    const late = { ...once, config: { ...config, pendingLimitSeconds: 0 } };
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stats = await reconcile(deps, late);
    assert.equal(stats.quiet, 0);
    assert.equal(store.items.get('id-slow')?.pending?.flagged, true);
  });

  it('reads the records of active entries whose Job was not listed, and makes them LOST', async () => {
    const { kube, deps, store, readByKey } = await settled(3);
    kube.jobs.delete('jobs/job-2');
    const stats = await reconcile(deps, once);
    assert.deepEqual(readByKey, ['id-job-2']);
    assert.equal(stats.lost, 1);
    assert.equal(store.items.get('id-job-2')?.state, 'LOST');
  });

  it('aligns a suspended Job under an admitted record although the record observes it', async () => {
    const { kube, deps, store } = await settled(1);
    const r = store.items.get('id-job-0');
    const admission = {
      charge: { jobs: 1, cpu: 0, memory: 0, gpu: 0 },
      scopes: [],
      heldAtVersion: r?.version,
    } as never;
    if (r) store.items.set(r.jobId, { ...r, admission });
    const j = kube.jobs.get('jobs/job-0');
    if (j?.spec) j.spec.suspend = true;
    // As if the record had been written from this very object: only the suspension keeps it from quiet.
    const written = store.items.get('id-job-0');
    if (written && j)
      written.observed = {
        resourceVersion: stamped(j).metadata?.resourceVersion ?? '',
        version: written.version,
      };
    const stats = await reconcile(deps, once);
    assert.equal(stats.quiet, 0);
    assert.equal(stats.suspensionsAligned, 1);
    assert.equal(kube.jobs.get('jobs/job-0')?.spec?.suspend, false);
  });
});
