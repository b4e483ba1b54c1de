// The resync's settled Jobs (shared/core/reconcile/settled.ts): a finished Job we released under a
// terminal record carries the mark and is not read again while it waits for its TTL; every other
// Job is read as before.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reconcile } from '../../../../functions/reconcile/reconciler.ts';
import { ANNOTATIONS, FINALIZER, holdsFinalizer } from '../../../../shared/core/job/labels.ts';
import { DEFAULT_RECONCILE_CONFIG } from '../../../../shared/core/reconcile/plan.ts';
import { cond, finishedJob, job, pod, record, terminated } from '../../core/reconcile/fixtures.ts';
import { FakeKube } from '../../fakes/kube.ts';
import { MemoryStore } from '../../fakes/store.ts';

const config = { ...DEFAULT_RECONCILE_CONFIG, lostGraceSeconds: 0 };
const once = { namespaces: ['jobs'], windowMs: 0, config };
const complete = { succeeded: 1, conditions: [cond('Complete', 'CompletionsReached')] };

function setup() {
  const kube = new FakeKube();
  const store = new MemoryStore();
  /** The ids of the records read by key. */
  const readByKey: string[] = [];
  const getJobs = store.getJobs.bind(store);
  store.getJobs = (ids) => {
    readByKey.push(...ids);
    return getJobs(ids);
  };
  return { kube, store, readByKey, deps: { kube, store, reader: store } };
}

describe('Reconciler resync: settled Jobs', () => {
  it('marks a finished Job settled as it releases it, and does not read its record on the next pass', async () => {
    const { kube, store, readByKey, deps } = setup();
    const done = job('done', complete);
    done.metadata = { ...done.metadata, finalizers: [FINALIZER] }; // its TTL has not come yet
    kube.add(done);
    kube.pods.push(pod('done-p', { job: 'done', phase: 'Succeeded', state: terminated(0) }));
    store.items.set('id-done', record('RUNNING', { jobId: 'id-done', jobName: 'done' }));
    await reconcile(deps, once);
    const after = kube.jobs.get('jobs/done');
    assert.equal(store.items.get('id-done')?.state, 'SUCCEEDED');
    assert.equal(holdsFinalizer(after ?? {}), false);
    assert.equal(after?.metadata?.annotations?.[ANNOTATIONS.settled], 'SUCCEEDED');

    readByKey.length = 0;
    const next = await reconcile(deps, once);
    assert.deepEqual(readByKey, []);
    assert.equal(next.settledSkipped, 1);
    assert.equal(next.jobsListed, 1);
    assert.equal(next.writes, 0);
    assert.equal(next.kube.releases + next.kube.listPods, 0);
    assert.equal(next.dynamoReads, 1, 'the scan of the active entries alone');
  });

  it('reads an unmarked Job without our finalizer: an orphan is adopted, one released before the mark is read', async () => {
    const { kube, store, readByKey, deps } = setup();
    kube.add(finishedJob('orphan'));
    kube.add(finishedJob('old'));
    store.items.set('id-old', record('SUCCEEDED', { jobId: 'id-old', jobName: 'old' }));
    const stats = await reconcile(deps, once);
    assert.deepEqual(readByKey.sort(), ['id-old', 'id-orphan']);
    assert.equal(stats.settledSkipped, 0);
    assert.equal(stats.created, 1);
    assert.equal(store.items.get('id-orphan')?.state, 'SUCCEEDED');
  });

  it('reads and plans a marked Job whose record is active again', async () => {
    const { kube, store, readByKey, deps } = setup();
    kube.add(finishedJob('again', 'SUCCEEDED'));
    kube.pods.push(pod('again-p', { job: 'again', phase: 'Succeeded', state: terminated(0) }));
    store.items.set('id-again', record('SUBMITTED', { jobId: 'id-again', jobName: 'again' }));
    const stats = await reconcile(deps, once);
    assert.deepEqual(readByKey, ['id-again']);
    assert.equal(stats.settledSkipped, 0);
    assert.equal(store.items.get('id-again')?.state, 'SUCCEEDED');
  });

  it('reads and settles a marked Job that still holds our finalizer', async () => {
    const { kube, store, readByKey, deps } = setup();
    kube.add(finishedJob('held', 'FAILED', [FINALIZER]));
    store.items.set('id-held', record('SUCCEEDED', { jobId: 'id-held', jobName: 'held' }));
    const stats = await reconcile(deps, once);
    assert.deepEqual(readByKey, ['id-held']);
    assert.equal(stats.settledSkipped, 0);
    const after = kube.jobs.get('jobs/held');
    assert.equal(holdsFinalizer(after ?? {}), false);
    assert.equal(after?.metadata?.annotations?.[ANNOTATIONS.settled], 'SUCCEEDED', 'the record says so');
  });
});
