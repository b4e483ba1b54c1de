import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import { eventually } from '../reconcile/support.ts';
import { admin, cleanup, getRecord, jobsFor, uid } from '../submit/support.ts';
import { admissionStore, cancelAll, job, policyWith, reconcileFor, records, submitter } from './support.ts';

const created = new Set<string>();
const id = (prefix: string) => {
  const jobId = uid(prefix);
  created.add(jobId);
  return jobId;
};
const control = (action: string, jobId: string, reason?: string) => ({
  action,
  jobId,
  requestedBy: 'it-ops',
  reason,
});
const at = (r: JobRecord | undefined, reason: string) =>
  r?.history.find((h) => h.reason === reason)?.at ?? '';
const ended = (r: JobRecord | undefined) => r?.history.at(-1)?.at ?? '';

/** Reconcile invocations until `done` holds (at most `rounds` of `windowMs`). */
async function reconcileUntil(
  policy: ReturnType<typeof policyWith>,
  ids: string[],
  done: (r: JobRecord[]) => boolean,
  rounds = 4,
  windowMs = 10_000,
) {
  let list = await records(ids);
  for (let i = 0; i < rounds && !done(list); i++) {
    await reconcileFor(policy, windowMs);
    list = await records(ids);
  }
  return list;
}

describe('admission: dependencies, suspend and resume, cancel (local stack)', () => {
  after(async () => {
    await cancelAll(created);
    await cleanup(created);
  });
  const policy = policyWith({});

  it('a chain A -> B -> C runs in order, each after the one it needs succeeded', async () => {
    const [a, b, c] = [id('dep-a'), id('dep-b'), id('dep-c')];
    const submit = submitter(policy);
    await submit([job(a, 'it-deps', '2s')]);
    await submit([job(b, 'it-deps', '1s', { dependsOn: [{ jobId: a }] })]);
    await submit([job(c, 'it-deps', '1s', { dependsOn: [{ jobId: b, condition: 'FINISHED' }] })]);
    const [ra, rb, rc] = await records([a, b, c]);
    assert.equal(ra?.state, 'SUBMITTED', 'A needs nothing and has no quota: it runs at once, as before');
    assert.equal((await jobsFor(a))[0]?.spec?.suspend, false);
    assert.deepEqual([rb?.state, rb?.message], ['QUEUED', `waiting for ${a} (SUBMITTED)`]);
    assert.equal(rc?.state, 'QUEUED');
    assert.equal((await jobsFor(c))[0]?.spec?.suspend, true);
    const list = await reconcileUntil(policy, [a, b, c], (l) => l.every((r) => r.state === 'SUCCEEDED'));
    const [fa, fb, fc] = list;
    assert.deepEqual(
      list.map((r) => r.state),
      ['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED'],
    );
    assert.ok(at(fb, 'Admitted') >= ended(fa), 'B admitted after A ended');
    assert.ok(at(fc, 'Admitted') >= ended(fb), 'C admitted after B ended');
  });

  it('a failed A fails B and C with DependencyFailed; their Jobs never run', async () => {
    const [a, b, c] = [id('fail-a'), id('fail-b'), id('fail-c')];
    const submit = submitter(policy);
    await submit([
      job(a, 'it-deps', '1s', {
        podAnnotations: { 'outcome.local/duration': '1s', 'outcome.local/exit-code': '3' },
      }),
    ]);
    await submit([job(b, 'it-deps', '1s', { dependsOn: [{ jobId: a }] })]);
    await submit([job(c, 'it-deps', '1s', { dependsOn: [{ jobId: b }] })]);
    const list = await reconcileUntil(policy, [a, b, c], (l) => l.every((r) => ['FAILED'].includes(r.state)));
    assert.deepEqual(
      list.map((r) => [r.state, r.reason]),
      [
        ['FAILED', list[0]?.reason],
        ['FAILED', 'DependencyFailed'],
        ['FAILED', 'DependencyFailed'],
      ],
    );
    assert.equal(list[1]?.message, `dependency ${a} ended FAILED`);
    assert.equal(list[2]?.message, `dependency ${b} ended FAILED`);
    for (const jobId of [b, c]) {
      const pods = await admin.core.listNamespacedPod({
        namespace: 'jobs',
        labelSelector: `batch.kubernetes.io/job-name=${list.find((r) => r.jobId === jobId)?.jobName}`,
      });
      assert.equal(pods.items.length, 0, `${jobId} never had a pod`);
    }
  });

  it('an unknown dependency, or the job itself, is refused at submit', async () => {
    const [x, y] = [id('unknown'), id('self')];
    await submitter(policy)([
      job(x, 'it-deps', '1s', { dependsOn: [{ jobId: 'no-such-job-ever' }] }),
      job(y, 'it-deps', '1s', { dependsOn: [{ jobId: y }] }),
    ]);
    const [rx, ry] = await records([x, y]);
    assert.deepEqual([rx?.state, rx?.reasons?.[0]?.rule], ['REJECTED', 'request.unknown_dependency']);
    assert.deepEqual([ry?.state, ry?.reasons?.[0]?.rule], ['REJECTED', 'request.dependency_cycle']);
  });

  it('suspend stops a running job and says who and why; resume goes back through admission and it finishes', async () => {
    const owner = uid('susp');
    const quota = policyWith({ quotas: { owners: { [owner]: { maxActiveJobs: 1 } } } });
    const j = id('susp');
    const submit = submitter(quota);
    await submit([job(j, owner, '4s')]);
    await reconcileFor(quota, 2_500);
    assert.equal((await getRecord(j))?.state, 'RUNNING');
    assert.deepEqual(await submit([control('suspend', j, 'maintenance')]), []);
    const suspended = await getRecord(j);
    assert.deepEqual(
      [suspended?.state, suspended?.reason, suspended?.message],
      ['QUEUED', 'Suspended', 'suspended by it-ops: maintenance'],
    );
    assert.equal(suspended?.suspension?.by, 'it-ops');
    assert.equal((await jobsFor(j))[0]?.spec?.suspend, true);
    assert.equal(
      (await admissionStore.usage([`owner#${owner}`])).get(`owner#${owner}`)?.jobs,
      0,
      'its quota given back',
    );
    await eventually('the suspended Job to have no active pod', async () => {
      await reconcileFor(quota, 1_000);
      return ((await jobsFor(j))[0]?.status?.active ?? 0) === 0 ? true : undefined;
    });
    assert.deepEqual(await submit([control('resume', j)]), []);
    const resumed = await getRecord(j);
    assert.equal(resumed?.state, 'PENDING');
    assert.equal((await jobsFor(j))[0]?.spec?.suspend, false);
    const [done] = await reconcileUntil(quota, [j], (l) => l[0]?.state === 'SUCCEEDED');
    assert.equal(done?.state, 'SUCCEEDED');
    assert.equal((await admissionStore.usage([`owner#${owner}`])).get(`owner#${owner}`)?.jobs, 0);
  });

  it('a cancelled queued job never starts, and frees no quota it never held', async () => {
    const owner = uid('cq');
    const quota = policyWith({ quotas: { owners: { [owner]: { maxActiveJobs: 1 } } } });
    const [first, second] = [id('cq-1'), id('cq-2')];
    const submit = submitter(quota);
    await submit([job(first, owner, '2s')]);
    await submit([job(second, owner, '1s')]);
    assert.equal((await getRecord(second))?.state, 'QUEUED');
    await submit([control('cancel', second)]);
    const list = await reconcileUntil(quota, [first, second], (l) => l[0]?.state === 'SUCCEEDED');
    assert.deepEqual(
      list.map((r) => r.state),
      ['SUCCEEDED', 'CANCELLED'],
    );
    assert.ok(
      !list[1]?.history.some((h) => h.state === 'PENDING' || h.state === 'RUNNING'),
      'never admitted',
    );
    assert.equal((await admissionStore.usage([`owner#${owner}`])).get(`owner#${owner}`)?.jobs, 0);
  });
});
