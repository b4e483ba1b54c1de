// The outcomes a job can have, on the real stack: each Job is scripted through kwok's pod
// annotations, the reconciler (runner identity) watches, and the records and the events
// on the bus are checked.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import { isTerminal } from '../../../shared/core/job/state.ts';
import {
  adminCore,
  eventTap,
  eventually,
  jobManifest,
  podsOf,
  queries,
  removeJob,
  runReconcile,
  submit,
  type TestJob,
  uniqueJob,
} from './support.ts';

const jobs = {
  success: uniqueJob('ok'),
  failure: uniqueJob('fail'),
  retried: uniqueJob('retry'),
  deadline: uniqueJob('deadline'),
  policy: uniqueJob('policy'),
  indexed: uniqueJob('indexed'),
};
const all = Object.values(jobs);
let tap: Awaited<ReturnType<typeof eventTap>>;
const records = new Map<string, JobRecord>();

/** Makes the next pod of a Job fail by patching its scripted exit code (as a flaky run). */
async function failPod(
  t: TestJob,
  pick: (names: string[]) => string | undefined,
  code: string,
): Promise<void> {
  const name = await eventually(`a pod of ${t.jobName}`, async () =>
    pick((await podsOf(t)).map((p) => p.metadata?.name ?? '').sort()),
  );
  await adminCore.patchNamespacedPod({
    namespace: t.namespace,
    name,
    body: [{ op: 'add', path: '/metadata/annotations/outcome.local~1exit-code', value: code }],
  });
}

before(async () => {
  tap = await eventTap(all.map((t) => t.jobId));
  await submit(
    jobs.success,
    jobManifest(jobs.success, {
      podAnnotations: { 'outcome.local/duration': '2s', 'outcome.local/message': 'wrote 42 rows' },
      spec: { ttlSecondsAfterFinished: 300 },
    }),
  );
  await submit(
    jobs.failure,
    jobManifest(jobs.failure, {
      podAnnotations: {
        'outcome.local/duration': '1s',
        'outcome.local/exit-code': '3',
        'outcome.local/message': 'input file missing',
      },
    }),
  );
  await submit(
    jobs.retried,
    jobManifest(jobs.retried, {
      spec: { backoffLimit: 2 },
      podAnnotations: { 'outcome.local/duration': '2s' },
    }),
  );
  await submit(
    jobs.deadline,
    jobManifest(jobs.deadline, {
      spec: { activeDeadlineSeconds: 2 },
      podAnnotations: { 'outcome.local/duration': '60s' },
    }),
  );
  await submit(
    jobs.policy,
    jobManifest(jobs.policy, {
      spec: {
        backoffLimit: 5,
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
      },
      podAnnotations: {
        'outcome.local/duration': '1s',
        'outcome.local/exit-code': '42',
        'outcome.local/message': 'fatal: bad config',
      },
    }),
  );
  await submit(
    jobs.indexed,
    jobManifest(jobs.indexed, {
      spec: {
        completionMode: 'Indexed',
        completions: 3,
        parallelism: 3,
        backoffLimitPerIndex: 0,
        maxFailedIndexes: 1,
      },
      podAnnotations: { 'outcome.local/duration': '3s' },
    }),
  );
  // The first attempt of `retried` fails; index 1 of `indexed` fails.
  await failPod(jobs.retried, (names) => names[0], '1');
  await failPod(jobs.indexed, (names) => names.find((n) => /-1-[a-z0-9]+$/.test(n)), '7');
  // Reconcile with a watch window, invocation after invocation, until every record is final.
  await eventually(
    'every record terminal',
    async () => {
      await runReconcile({ windowMs: 4000 });
      const found = await queries.getJobs(all.map((t) => t.jobId));
      for (const [id, r] of found) records.set(id, r);
      return all.every((t) => {
        const r = found.get(t.jobId);
        return r && isTerminal(r.state);
      })
        ? true
        : undefined;
    },
    90_000,
    0,
  );
});

after(async () => {
  await Promise.all(all.map(removeJob));
  await tap?.close();
});

const get = (t: TestJob): JobRecord => {
  const r = records.get(t.jobId);
  assert.ok(r, `record of ${t.jobId}`);
  return r;
};

describe('reconcile outcomes on the local stack', () => {
  it('success: SUCCEEDED with exit code 0, termination message, log tail, times and duration', () => {
    const r = get(jobs.success);
    assert.equal(r.state, 'SUCCEEDED');
    assert.equal(r.reason, 'CompletionsReached');
    const pod = r.result?.pods[0];
    assert.equal(pod?.exitCode, 0);
    assert.equal(pod?.message, 'wrote 42 rows');
    assert.ok(pod?.logTail?.includes('done'), `log tail: ${JSON.stringify(pod)}`);
    assert.equal(r.result?.attempts, 1);
    assert.ok(r.result?.startedAt && r.result.finishedAt);
    assert.ok((r.result?.durationSeconds ?? 0) >= 1);
    assert.ok(r.expiresAt && r.expiresAt > Date.now() / 1000);
    assert.match(r.statusShard, /^SUCCEEDED#/);
    assert.deepEqual(
      r.history.map((h) => h.state).filter((s) => s !== 'PENDING'),
      ['SUBMITTED', 'RUNNING', 'SUCCEEDED'],
    );
  });

  it('failure: FAILED BackoffLimitExceeded with the scripted exit code and message', () => {
    const r = get(jobs.failure);
    assert.equal(r.state, 'FAILED');
    assert.equal(r.reason, 'BackoffLimitExceeded');
    assert.equal(r.result?.pods[0]?.exitCode, 3);
    assert.equal(r.result?.pods[0]?.message, 'input file missing');
    assert.equal(r.result?.pods[0]?.reason, 'Error');
  });

  it('retries then success: SUCCEEDED after 2 attempts, the last pod reported', () => {
    const r = get(jobs.retried);
    assert.equal(r.state, 'SUCCEEDED');
    assert.equal(r.result?.attempts, 2);
    assert.equal(r.result?.failed, 1);
    assert.equal(r.result?.pods[0]?.exitCode, 0);
  });

  it('deadline exceeded: TIMED_OUT DeadlineExceeded', () => {
    const r = get(jobs.deadline);
    assert.equal(r.state, 'TIMED_OUT');
    assert.equal(r.reason, 'DeadlineExceeded');
    assert.ok(r.result);
  });

  it('podFailurePolicy FailJob: FAILED PodFailurePolicy after one attempt despite backoffLimit 5', () => {
    const r = get(jobs.policy);
    assert.equal(r.state, 'FAILED');
    assert.equal(r.reason, 'PodFailurePolicy');
    assert.match(r.message ?? '', /exit code 42/);
    assert.equal(r.result?.attempts, 1);
    assert.equal(r.result?.pods[0]?.exitCode, 42);
    assert.equal(r.result?.pods[0]?.message, 'fatal: bad config');
  });

  it('indexed job with one failed index: FAILED, results per index, failed index 1', () => {
    const r = get(jobs.indexed);
    assert.equal(r.state, 'FAILED');
    assert.equal(r.result?.failedIndexes, '1');
    assert.equal(r.result?.completedIndexes, '0,2');
    assert.deepEqual(
      r.result?.pods.map((p) => [p.completionIndex, p.exitCode]),
      [
        [0, 0],
        [1, 7],
        [2, 0],
      ],
    );
  });

  it('events: one "Job State Change" per transition, in order, matching the history', async () => {
    const events = await eventually(
      'events on the tap',
      async () => {
        const got = await tap.received();
        const terminal = got.filter((e) => e.detail.terminal === true).length;
        return terminal >= all.length ? got : undefined;
      },
      20_000,
      500,
    );
    for (const t of all) {
      const r = get(t);
      const mine = events
        .filter((e) => e.detail.jobId === t.jobId)
        .sort((a, b) => Number(a.detail.version) - Number(b.detail.version));
      // Every transition after SUBMITTED (written by submit) was published once.
      const transitions = r.history.slice(1).map((h) => h.state);
      assert.deepEqual(
        mine.map((e) => e.detail.state),
        transitions,
        `${t.jobId}: events ${JSON.stringify(mine.map((e) => e.detail.state))} vs history ${JSON.stringify(transitions)}`,
      );
      const last = mine.at(-1);
      assert.equal(last?.detail.schemaVersion, '1');
      assert.equal(last?.detail.state, r.state);
      // The id a consumer deduplicates on: one per transition, the record's version at it.
      assert.deepEqual(
        mine.map((e) => e.detail.eventId),
        mine.map((e) => `${t.jobId}#${e.detail.version}`),
      );
      assert.equal(last?.detail.eventId, `${t.jobId}#${r.version}`);
    }
  });
});
