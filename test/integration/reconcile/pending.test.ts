// Why a job waits: the pod's reason and message land on the record; a job pending past the
// limit is flagged, and failed (its Job deleted) when the operator asks for it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  eventually,
  FAST_CONFIG,
  jobManifest,
  queries,
  readJob,
  reconciledUntil,
  removeJob,
  runReconcile,
  submit,
  type TestJob,
  uniqueJob,
} from './support.ts';

const created: TestJob[] = [];
after(async () => {
  await Promise.all(created.map(removeJob));
});

describe('pending reasons on the local stack', () => {
  it('unschedulable (a node selector no kwok node has): the scheduler message, then flagged, then failed', async () => {
    const t = uniqueJob('unsched');
    created.push(t);
    await submit(t, jobManifest(t, { nodeSelector: { 'eks-job-runner.local/pool': 'nowhere' } }));
    const pending = await reconciledUntil(t, (r) => r.pending?.reason === 'Unschedulable');
    assert.equal(pending.state, 'PENDING');
    assert.equal(pending.reason, 'Unschedulable');
    assert.match(pending.pending?.message ?? '', /0\/\d+ nodes are available: .*node affinity\/selector/);
    assert.equal(pending.pending?.flagged, undefined);

    // Past the pending limit: flagged, still pending, no new history entry.
    await eventually(
      'pending for over a second',
      async () => (Date.now() - Date.parse(pending.pending?.since ?? '') > 1500 ? true : undefined),
      5000,
    );
    await runReconcile({ config: { ...FAST_CONFIG, pendingLimitSeconds: 1 } });
    const flagged = await queries.getJob(t.jobId);
    assert.equal(flagged?.state, 'PENDING');
    assert.equal(flagged?.pending?.flagged, true);
    assert.equal(flagged?.history.length, pending.history.length);

    // With fail-on-pending: FAILED with the reason, and the Job is deleted.
    await runReconcile({ config: { ...FAST_CONFIG, pendingLimitSeconds: 1, failOnPending: true } });
    const failed = await queries.getJob(t.jobId);
    assert.equal(failed?.state, 'FAILED');
    assert.equal(failed?.reason, 'PendingTimeout');
    assert.match(failed?.message ?? '', /Unschedulable: 0\/\d+ nodes are available/);
    await eventually('the Job deleted', async () => ((await readJob(t)) ? undefined : true), 15_000);
  });

  it('a waiting container (ErrImagePull) gives the reason and message', async () => {
    const t = uniqueJob('pull');
    created.push(t);
    await submit(
      t,
      jobManifest(t, {
        podAnnotations: {
          'outcome.local/waiting-reason': 'ErrImagePull',
          'outcome.local/waiting-message': 'pull access denied for registry.local/worker',
        },
      }),
    );
    const r = await reconciledUntil(t, (x) => x.pending?.reason === 'ErrImagePull');
    assert.equal(r.state, 'PENDING');
    assert.equal(r.pending?.message, 'pull access denied for registry.local/worker');
  });
});
