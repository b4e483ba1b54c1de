// A batch's records written together (functions/submit/batch-creates.ts): one createAll for the
// records its messages create, with every guarantee of the one-by-one path kept.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBatch } from '../../../../functions/submit/batch.ts';
import type { QueueMessage } from '../../../../functions/submit/process.ts';
import {
  body,
  far,
  processOne,
  request,
  TEST_POLICY_INPUT,
  type TestDeps,
  testDeps,
  testPolicy,
} from './fakes.ts';

const submits = (...jobIds: string[]): QueueMessage[] =>
  jobIds.map((jobId, i) => ({ messageId: `m-${i + 1}`, body: body(request({ jobId })) }));
const run = (deps: TestDeps, records: QueueMessage[], concurrency = 10) =>
  runBatch(deps, records, { concurrency, deadline: far() });

describe('submit: a batch writes its new records in one request', () => {
  it('all new: one createAll, every record written before its Job is created', async () => {
    const deps = testDeps();
    const create = deps.kube.createJob.bind(deps.kube);
    const missing: string[] = [];
    deps.kube.createJob = async (job, options) => {
      const jobId = job.metadata?.annotations?.['eks-job-runner.io/job-id'] as string;
      if (!deps.store.items.has(jobId)) missing.push(jobId);
      return create(job, options);
    };
    const result = await run(deps, submits('job-1', 'job-2', 'job-3', 'job-4', 'job-5'));
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.store.createAllCalls, 1);
    assert.equal(deps.store.writes, 5);
    assert.equal(deps.kube.jobs.size, 5);
    assert.equal(deps.counts.get('Accepted'), 5);
    assert.deepEqual(missing, [], 'no Job before its record');
  });

  it('some existing (a redelivered batch): the new ones are written, the existing ones re-create their Jobs', async () => {
    const deps = testDeps();
    await processOne(deps, { messageId: 'm-2', body: body(request({ jobId: 'job-2' })) }, far());
    deps.kube.jobs.clear(); // its Job's create had failed: the redelivery creates it from the record
    const before = structuredClone(deps.store.items.get('job-2'));
    const result = await run(deps, submits('job-1', 'job-2', 'job-3'));
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.store.createAllCalls, 1);
    assert.deepEqual(deps.store.items.get('job-2'), before, 'the existing record is left as it is');
    assert.equal(deps.kube.jobs.size, 3);
    assert.equal(deps.counts.get('Accepted'), 3);
  });

  it('a jobId twice in one batch: one record, one Job, the second a duplicate', async () => {
    const deps = testDeps();
    const records = submits('job-1', 'job-2', 'job-1');
    const result = await run(deps, records);
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.store.writes, 2);
    assert.equal(deps.kube.jobs.size, 2);
    assert.deepEqual([deps.counts.get('Accepted'), deps.counts.get('Duplicate')], [2, 1]);
  });

  it('a record DynamoDB fails (throttled beyond its retries) fails its message only, with no Job', async () => {
    const deps = testDeps();
    deps.store.failCreateAll = (record) =>
      record.jobId === 'job-2'
        ? Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' })
        : undefined;
    const result = await run(deps, submits('job-1', 'job-2', 'job-3'));
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'm-2' }]);
    assert.equal(deps.kube.jobs.size, 2);
    assert.equal(deps.store.items.has('job-2'), false);
    assert.equal(deps.counts.get('RetryLater'), 1);
  });

  it('a createAll that fails as a whole fails every message it wrote for, and creates no Job', async () => {
    const deps = testDeps();
    deps.store.createAll = async () => {
      throw Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    };
    const result = await run(deps, submits('job-1', 'job-2'));
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'm-1' }, { itemIdentifier: 'm-2' }]);
    assert.equal(deps.kube.jobs.size, 0);
  });

  it('one record at a time (concurrency 1): each create alone, no createAll', async () => {
    const deps = testDeps();
    const result = await run(deps, submits('job-1', 'job-2'), 1);
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.store.createAllCalls, 0);
    assert.equal(deps.kube.jobs.size, 2);
  });

  it('rejections are written with the submits, as REJECTED records', async () => {
    const deps = testDeps();
    const records = [
      ...submits('job-1'),
      { messageId: 'm-bad', body: 'not json' },
      { messageId: 'm-policy', body: body(request({ jobId: 'job-p', image: 'evil.example/x:1' })) },
    ];
    const result = await run(deps, records);
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.store.createAllCalls, 1);
    assert.equal(deps.store.items.get('m-bad')?.state, 'REJECTED');
    assert.equal(deps.store.items.get('job-p')?.state, 'REJECTED');
    assert.deepEqual([deps.counts.get('Accepted'), deps.counts.get('Rejected')], [1, 2]);
    assert.equal(deps.kube.jobs.size, 1);
  });

  it('a cancel in the same batch as its submit: the job ends CANCELLED with no Job', async () => {
    const deps = testDeps();
    const records = [
      { messageId: 'c-1', body: body({ action: 'cancel', jobId: 'job-1', requestedBy: 'bob' }) },
      ...submits('job-1'),
    ];
    const result = await run(deps, records);
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.store.items.get('job-1')?.state, 'CANCELLED');
    assert.equal(deps.kube.jobs.size, 0);
  });

  it('under a quota: the batch queues its records together, their Jobs suspended, and admits once', async () => {
    let passes = 0;
    const policy = testPolicy({
      ...TEST_POLICY_INPUT,
      admission: { quotas: { owners: { alice: { maxActiveJobs: 1 } } } },
    });
    const deps = testDeps({
      policy,
      admit: async () => {
        passes++;
      },
    });
    const result = await run(deps, submits('job-1', 'job-2'));
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.store.createAllCalls, 1);
    assert.deepEqual(
      ['job-1', 'job-2'].map((id) => deps.store.items.get(id)?.state),
      ['QUEUED', 'QUEUED'],
    );
    assert.ok([...deps.kube.jobs.values()].every((job) => job.spec?.suspend === true));
    assert.equal(passes, 1);
  });
});
