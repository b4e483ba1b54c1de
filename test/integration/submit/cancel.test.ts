import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  cleanup,
  context,
  getRecord,
  jobFinished,
  jobsFor,
  liveJobsFor,
  sqsEvent,
  sqsRecord,
  submitHandler,
  uid,
  waitFor,
} from './support.ts';

const created = new Set<string>();
const submit = (jobId: string, extra: Record<string, unknown> = {}) => {
  created.add(jobId);
  return {
    jobId,
    owner: 'it-cancel',
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sleep', '60'],
    podAnnotations: { 'outcome.local/duration': '60s' },
    ...extra,
  };
};
const cancel = (jobId: string) => ({
  action: 'cancel',
  jobId,
  requestedBy: 'it-operator',
  reason: 'no longer needed',
});

describe('cancel (local stack)', () => {
  after(() => cleanup(created));

  it('cancels a running job: Job deleted (Foreground, its pods stopped), CANCELLED with who and why; a repeat is idempotent', async () => {
    const handler = await submitHandler();
    const jobId = uid('running');
    await handler(sqsEvent([sqsRecord(submit(jobId))]), context());
    assert.equal((await jobsFor(jobId)).length, 1);
    const message = sqsRecord(cancel(jobId));
    assert.deepEqual((await handler(sqsEvent([message]), context())).batchItemFailures, []);
    const record = await getRecord(jobId);
    assert.equal(record?.state, 'CANCELLED');
    assert.deepEqual(
      record?.cancellation && { by: record.cancellation.by, reason: record.cancellation.reason },
      {
        by: 'it-operator',
        reason: 'no longer needed',
      },
    );
    await waitFor(
      'the Job to be deleted',
      async () => ((await liveJobsFor(jobId)).length === 0 ? true : undefined),
      20_000,
    );
    // the same cancel again, and a late redelivery of the submit: nothing changes, nothing is created
    assert.deepEqual(
      (await handler(sqsEvent([message, sqsRecord(submit(jobId))]), context())).batchItemFailures,
      [],
    );
    assert.equal((await getRecord(jobId))?.version, record?.version);
    assert.equal((await liveJobsFor(jobId)).length, 0);
  });

  it('a cancel before its submit: a tombstone, and the submit then creates no Job', async () => {
    const handler = await submitHandler();
    const jobId = uid('early');
    assert.deepEqual((await handler(sqsEvent([sqsRecord(cancel(jobId))]), context())).batchItemFailures, []);
    const tombstone = await getRecord(jobId);
    assert.equal(tombstone?.state, 'CANCELLED');
    assert.equal(tombstone?.reason, 'CancelledBeforeSubmit');
    assert.deepEqual((await handler(sqsEvent([sqsRecord(submit(jobId))]), context())).batchItemFailures, []);
    assert.equal((await jobsFor(jobId)).length, 0);
    assert.deepEqual(await getRecord(jobId), tombstone);
  });

  it('a cancel and its submit in one batch: whatever the order, no running Job is left', async () => {
    const handler = await submitHandler();
    for (let round = 0; round < 3; round++) {
      const jobId = uid(`same-batch-${round}`);
      const records = [sqsRecord(submit(jobId)), sqsRecord(cancel(jobId))];
      if (round % 2) records.reverse();
      assert.deepEqual((await handler(sqsEvent(records), context())).batchItemFailures, []);
      assert.equal((await getRecord(jobId))?.state, 'CANCELLED');
      await waitFor(
        'no live Job',
        async () => ((await liveJobsFor(jobId)).length === 0 ? true : undefined),
        20_000,
      );
    }
  });

  it('a cancel after completion: recorded outcome, the finished record and Job untouched, no loop', async () => {
    const handler = await submitHandler();
    const jobId = uid('finished');
    await handler(
      sqsEvent([
        sqsRecord(
          submit(jobId, { command: ['true'], podAnnotations: { 'outcome.local/duration': '200ms' } }),
        ),
      ]),
      context(),
    );
    const [job] = await jobsFor(jobId);
    assert.ok(job);
    assert.equal(await waitFor('the Job to complete', () => jobFinished(job), 30_000), 'Complete');
    // the record moves to SUCCEEDED by reconcile; to test submit alone, finish it as reconcile would
    const { store } = await import('./support.ts');
    const { transition } = await import('../../../shared/core/job/transition.ts');
    let current = await getRecord(jobId);
    while (current && current.state !== 'SUCCEEDED') {
      const next = transition(current, {
        state: 'SUCCEEDED',
        at: new Date().toISOString(),
        retentionSeconds: 3600,
      });
      if (!next) break;
      await store.replace(next);
      current = await getRecord(jobId);
    }
    const before = await getRecord(jobId);
    assert.equal(before?.state, 'SUCCEEDED');
    const out = await handler(sqsEvent([sqsRecord(cancel(jobId))]), context());
    assert.deepEqual(out.batchItemFailures, [], 'consumed: a cancel of a finished job does not loop');
    assert.deepEqual(await getRecord(jobId), before);
    assert.equal((await jobsFor(jobId)).length, 1, 'the finished Job is left to its TTL');
  });

  it('a cancel for a jobId nobody ever submits leaves only a tombstone that expires', async () => {
    const handler = await submitHandler();
    const jobId = uid('never');
    await handler(sqsEvent([sqsRecord(cancel(jobId))]), context());
    const tombstone = await getRecord(jobId);
    assert.ok((tombstone?.expiresAt ?? 0) > Date.now() / 1000);
  });
});
