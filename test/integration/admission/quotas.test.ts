import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { eventually } from '../reconcile/support.ts';
import { cleanup, getRecord, jobsFor, uid } from '../submit/support.ts';
import {
  admissionStore,
  cancelAll,
  job,
  maxConcurrent,
  NS,
  passAsSubmit,
  policyWith,
  reconcileFor,
  records,
  resetUsage,
  submitter,
} from './support.ts';

const created = new Set<string>();
const ids = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => {
    const id = `${uid(prefix)}-${i}`;
    created.add(id);
    return id;
  });
const suspendedOf = async (id: string) => (await jobsFor(id))[0]?.spec?.suspend;

describe('admission: quotas (local stack)', () => {
  // Cancelled, not only deleted: a queued record left behind would be admitted by a later pass.
  after(async () => {
    await cancelAll(created);
    await cleanup(created);
  });

  it('a quota of N admits exactly N and queues the rest, saying why; each finished job admits the next, in order', async () => {
    const owner = uid('quota');
    const policy = policyWith({ quotas: { owners: { [owner]: { maxActiveJobs: 2 } } } });
    const submit = submitter(policy);
    const jobs = ids('quota', 5);
    // One batch each: the queue order is the order of submission.
    for (const id of jobs) assert.deepEqual(await submit([job(id, owner, '2s')]), []);
    const first = await records(jobs);
    assert.deepEqual(
      first.map((r) => r.state),
      ['PENDING', 'PENDING', 'QUEUED', 'QUEUED', 'QUEUED'],
    );
    assert.equal(first[2]?.message, `owner ${owner} at 2/2 active jobs`);
    assert.deepEqual(await Promise.all(jobs.map(suspendedOf)), [false, false, true, true, true]);
    assert.equal((await admissionStore.usage([`owner#${owner}`])).get(`owner#${owner}`)?.jobs, 2);

    const done = async () => {
      const list = await records(jobs);
      return list.every((r) => r.state === 'SUCCEEDED') ? list : undefined;
    };
    let finished: Awaited<ReturnType<typeof done>>;
    for (let i = 0; i < 4 && !finished; i++) {
      await reconcileFor(policy, 12_000);
      finished = await done();
    }
    assert.ok(finished, `all succeeded: ${(await records(jobs)).map((r) => r.state)}`);
    assert.equal(maxConcurrent(finished), 2, 'never more than the quota at once');
    const admittedAt = finished.map((r) => r.history.find((h) => h.reason === 'Admitted')?.at ?? '');
    assert.deepEqual([...admittedAt].sort(), admittedAt, 'admitted in the order submitted');
    assert.equal((await admissionStore.usage([`owner#${owner}`])).get(`owner#${owner}`)?.jobs, 0);
  });

  it('overlapping admitters never exceed a quota (real transactions)', async () => {
    const owner = uid('overlap');
    const policy = policyWith({ quotas: { owners: { [owner]: { maxActiveJobs: 3 } } } });
    const jobs = ids('overlap', 10);
    assert.deepEqual(await submitter(policy, { admit: false })(jobs.map((id) => job(id, owner, '30s'))), []);
    await eventually('all ten in the queue index', async () => {
      let n = 0;
      for await (const r of realQueued()) if (r.owner === owner) n++;
      return n === 10 ? true : undefined;
    });
    const passes = await Promise.all([1, 2, 3, 4].map(() => passAsSubmit(policy)));
    assert.equal(
      passes.reduce((n, p) => n + p.admitted, 0),
      3,
    );
    const states = (await records(jobs)).map((r) => r.state);
    assert.equal(states.filter((s) => s === 'PENDING').length, 3);
    assert.equal(states.filter((s) => s === 'QUEUED').length, 7);
    assert.equal((await admissionStore.usage([`owner#${owner}`])).get(`owner#${owner}`)?.jobs, 3);
    assert.equal((await Promise.all(jobs.map(suspendedOf))).filter((s) => s === false).length, 3);
  });

  it('a request that alone exceeds its quota is REJECTED with the quota named', async () => {
    const owner = uid('big');
    const policy = policyWith({ quotas: { owners: { [owner]: { cpu: '1' } } } });
    const [id] = ids('big', 1) as [string];
    await submitter(policy)([job(id, owner, '1s', { resources: { cpu: '2' } })]);
    const record = await getRecord(id);
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reasons?.[0]?.rule, 'policy.quota_exceeded');
    assert.equal((await jobsFor(id)).length, 0);
  });

  it('two owners flooding one namespace get their weighted shares', async () => {
    const [a, b] = [uid('heavy'), uid('light')];
    await Promise.all([
      resetUsage(`namespace#${NS}`),
      resetUsage(`share#${NS}#${a}`),
      resetUsage(`share#${NS}#${b}`),
    ]);
    const policy = policyWith({
      quotas: { namespaces: { [NS]: { maxActiveJobs: 3 } } },
      weights: { [a]: 2, [b]: 1 },
    });
    const [aJobs, bJobs] = [ids('heavy', 10), ids('light', 10)];
    const bodies = aJobs.flatMap((id, i) => [job(id, a, '1s'), job(bJobs[i] as string, b, '1s')]);
    for (let i = 0; i < bodies.length; i += 10)
      assert.deepEqual(await submitter(policy)(bodies.slice(i, i + 10)), []);
    let all = await records([...aJobs, ...bJobs]);
    for (let i = 0; i < 6 && all.some((r) => r.state !== 'SUCCEEDED'); i++) {
      await reconcileFor(policy, 10_000);
      all = await records([...aJobs, ...bJobs]);
    }
    assert.ok(
      all.every((r) => r.state === 'SUCCEEDED'),
      `${all.map((r) => r.state)}`,
    );
    assert.ok(maxConcurrent(all) <= 3);
    // While both owners wait, admissions go 2:1: count the first 12 (before owner a runs out).
    const admissions = all
      .map((r) => ({ owner: r.owner, at: r.history.find((h) => h.reason === 'Admitted')?.at ?? '' }))
      .sort((x, y) => x.at.localeCompare(y.at))
      .slice(0, 12);
    const share = admissions.filter((x) => x.owner === a).length / admissions.length;
    assert.ok(Math.abs(share - 2 / 3) <= 0.1 * (2 / 3) + 1 / 12, `owner a's share ${share}, weight 2/3`);
  });
});

async function* realQueued() {
  const { DynamoDbJobQueries } = await import('../../../shared/adapters/dynamodb/job-queries.ts');
  const { documentClient, stack } = await import('../submit/support.ts');
  yield* new DynamoDbJobQueries(documentClient, stack.aws.tableName).scanState('QUEUED');
}
