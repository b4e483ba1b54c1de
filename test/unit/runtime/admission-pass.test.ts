import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { queuedRecord } from '../../../shared/core/admission/records.ts';
import type { Admission } from '../../../shared/core/admission/types.ts';
import { transition } from '../../../shared/core/job/transition.ts';
import type { Log } from '../../../shared/core/ports.ts';
import { parsePolicy } from '../../../shared/core/submit/policy.ts';
import { submittedRecord } from '../../../shared/core/submit/records.ts';
import { admissionPass } from '../../../shared/runtime/admission-pass.ts';
import { at } from '../core/reconcile/fixtures.ts';
import { FakeKube } from '../fakes/kube.ts';
import { MemoryStore } from '../fakes/store.ts';

const silent: Log = { info() {}, warn() {}, error() {}, child: () => silent };
const policy = parsePolicy({ admission: { quotas: { owners: { a: { maxActiveJobs: 3 } } } } }, ['jobs']);

function seed(store: MemoryStore, kube: FakeKube, n: number): void {
  for (let i = 0; i < n; i++) {
    const jobId = `j${i}`;
    const admission: Admission = {
      charge: { jobs: 1, cpu: 100, memory: 1, gpu: 0 },
      scopes: ['owner#a'],
      priority: 0,
      queuedAt: at(i),
    };
    const submitted = submittedRecord({
      jobId,
      owner: 'a',
      at: at(i),
      namespace: 'jobs',
      jobName: jobId,
      requestHash: 'h',
      request: {},
      sourceMessageId: 'm',
    });
    store.items.set(jobId, queuedRecord(submitted, admission));
    kube.add({ metadata: { name: jobId, namespace: 'jobs' }, spec: { suspend: true, template: {} } });
  }
}

const deps = (store: MemoryStore, kube: FakeKube, now = at(100)) => ({
  admission: store,
  store,
  reader: store,
  kube,
  policy,
  log: silent,
  now: () => new Date(now),
});

describe('admission pass (in memory, the DynamoDB transaction semantics of MemoryStore)', () => {
  test('admits up to the quota, oldest first, and unsuspends exactly those Jobs', async () => {
    const [store, kube] = [new MemoryStore(), new FakeKube()];
    seed(store, kube, 5);
    const stats = await admissionPass(deps(store, kube));
    assert.equal(stats.admitted, 3);
    const running = [...kube.jobs.values()]
      .filter((j) => j.spec?.suspend === false)
      .map((j) => j.metadata?.name);
    assert.deepEqual(running, ['j0', 'j1', 'j2']);
    assert.deepEqual(store.counts.get('owner#a')?.jobs, 3);
    assert.equal(store.items.get('j3')?.message, 'owner a at 3/3 active jobs');
  });

  test('overlapping passes never admit past the quota', async () => {
    const [store, kube] = [new MemoryStore(), new FakeKube()];
    seed(store, kube, 10);
    const results = await Promise.all([1, 2, 3, 4].map(() => admissionPass(deps(store, kube))));
    assert.equal(
      results.reduce((n, r) => n + r.admitted, 0),
      3,
    );
    assert.ok(
      results.some((r) => r.contended > 0),
      'the passes did contend',
    );
    assert.equal([...store.items.values()].filter((r) => r.state === 'PENDING').length, 3);
    assert.equal(store.counts.get('owner#a')?.jobs, 3);
  });

  test('a finished job gives its quota back in the same write, and the next pass admits the next', async () => {
    const [store, kube] = [new MemoryStore(), new FakeKube()];
    seed(store, kube, 4);
    await admissionPass(deps(store, kube));
    const done = transition(store.items.get('j0') as never, {
      state: 'SUCCEEDED',
      at: at(200),
      retentionSeconds: 1,
    });
    assert.ok(done && (await store.replace(done)));
    assert.equal(store.counts.get('owner#a')?.jobs, 2);
    // Writing the terminal record again (a later detail) gives nothing back twice.
    const again = transition(done, { state: 'SUCCEEDED', at: at(201) });
    assert.equal(again, undefined, 'no move out of a terminal state');
    const stats = await admissionPass(deps(store, kube, at(300)));
    assert.equal(stats.admitted, 1);
    assert.equal(store.items.get('j3')?.state, 'PENDING');
  });
});
