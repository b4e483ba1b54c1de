import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBatch } from '../../../../functions/submit/batch.ts';
import { ANNOTATIONS } from '../../../../shared/core/job/labels.ts';
import { body, far, processOne, request, testDeps } from './fakes.ts';

describe('submit: exactly once on at-least-once delivery', () => {
  it('the same message three times gives one Job, one record and one write', async () => {
    const deps = testDeps();
    const message = { messageId: 'm-1', body: body(request()) };
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await processOne(deps, message, far()));
    assert.deepEqual(outcomes, ['Accepted', 'Duplicate', 'Duplicate']);
    assert.equal(deps.kube.jobs.size, 1);
    assert.equal(deps.store.items.size, 1);
    assert.equal(deps.store.writes, 1, 'one DynamoDB write per accepted submission');
    assert.equal(deps.store.items.get('job-1')?.state, 'SUBMITTED');
  });

  it('duplicates in one batch, processed concurrently, give one Job', async () => {
    const deps = testDeps();
    const records = Array.from({ length: 8 }, (_, i) => ({ messageId: `m-${i}`, body: body(request()) }));
    const result = await runBatch(deps, records, { concurrency: 8, deadline: far() });
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.kube.jobs.size, 1);
    assert.equal(deps.store.writes, 1);
    assert.equal(deps.counts.get('Accepted'), 1);
    assert.equal(deps.counts.get('Duplicate'), 7);
  });

  it('a redelivery after a failed create re-creates the Job from the stored record', async () => {
    const deps = testDeps();
    deps.kube.failNext('create', { status: 503, message: 'unavailable' }, 4);
    const message = { messageId: 'm-1', body: body(request()) };
    const first = await runBatch(deps, [message], { concurrency: 1, deadline: far() });
    assert.deepEqual(first.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
    assert.equal(deps.kube.jobs.size, 0);
    assert.equal(deps.store.items.get('job-1')?.state, 'SUBMITTED');
    assert.equal(await processOne(deps, message, far()), 'Accepted');
    assert.equal(deps.kube.jobs.size, 1);
    assert.equal(deps.store.writes, 1);
  });

  it('a 409 on a Job with another request hash is a permanent refusal, not success', async () => {
    const deps = testDeps();
    await processOne(deps, { messageId: 'm-1', body: body(request()) }, far());
    const [job] = deps.kube.jobs.values();
    (job?.metadata?.annotations as Record<string, string>)[ANNOTATIONS.requestHash] = 'someone-else';
    // the record is still SUBMITTED, so a redelivery tries to create the Job again
    const outcome = await processOne(deps, { messageId: 'm-1', body: body(request()) }, far());
    assert.equal(outcome, 'KubeRefused');
    assert.equal(deps.store.items.get('job-1')?.reasons?.[0]?.rule, 'kube.name_conflict');
  });

  it('the same jobId with another request is a conflict: the record is kept, a notice is written under the message id', async () => {
    const deps = testDeps();
    await processOne(deps, { messageId: 'm-1', body: body(request()) }, far());
    const before = structuredClone(deps.store.items.get('job-1'));
    const outcome = await processOne(
      deps,
      { messageId: 'm-2', body: body(request({ args: ['other'] })) },
      far(),
    );
    assert.equal(outcome, 'Conflict');
    assert.deepEqual(deps.store.items.get('job-1'), before);
    const notice = deps.store.items.get('m-2');
    assert.equal(notice?.state, 'REJECTED');
    assert.equal(notice?.reason, 'JobIdConflict');
    assert.equal(notice?.reasons?.[0]?.rule, 'request.conflict');
    assert.equal(deps.kube.jobs.size, 1);
    // the conflicting message redelivered: still one notice, still a conflict
    assert.equal(
      await processOne(deps, { messageId: 'm-2', body: body(request({ args: ['other'] })) }, far()),
      'Conflict',
    );
    assert.equal(deps.store.items.size, 2);
  });

  it('a jobId derived from the message id dedupes redeliveries of that message only', async () => {
    const deps = testDeps();
    const { jobId: _, ...noId } = request();
    await processOne(deps, { messageId: 'm-a', body: body(noId) }, far());
    await processOne(deps, { messageId: 'm-a', body: body(noId) }, far());
    await processOne(deps, { messageId: 'm-b', body: body(noId) }, far());
    assert.equal(deps.kube.jobs.size, 2);
    assert.ok(deps.store.items.has('m-a') && deps.store.items.has('m-b'));
  });
});

describe('submit: every error has a class and a home', () => {
  it('invalid JSON: a REJECTED record under the message id, consumed', async () => {
    const deps = testDeps();
    const result = await runBatch(deps, [{ messageId: 'm-x', body: '{nope' }], {
      concurrency: 1,
      deadline: far(),
    });
    assert.deepEqual(result.batchItemFailures, []);
    const record = deps.store.items.get('m-x');
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reasons?.[0]?.rule, 'request.invalid_json');
    assert.equal(record?.owner, 'unknown');
    assert.ok(record?.expiresAt);
    assert.equal(deps.counts.get('Rejected'), 1);
  });

  it('a schema violation with a usable jobId is recorded under that jobId with field paths', async () => {
    const deps = testDeps();
    await processOne(
      deps,
      { messageId: 'm-1', body: body(request({ retries: -1, labels: { 'eks-job-runner.io/x': 'y' } })) },
      far(),
    );
    const record = deps.store.items.get('job-1');
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reason, 'InvalidRequest');
    const rules = record?.reasons?.map((r) => `${r.path} ${r.rule}`);
    assert.ok(rules?.includes('retries schema.too_small'), String(rules));
    assert.ok(rules?.includes('labels.eks-job-runner.io/x labels.reserved_prefix'), String(rules));
    assert.equal(deps.kube.calls.length, 0);
  });

  it('a body whose jobId is unusable is recorded under the message id', async () => {
    const deps = testDeps();
    await processOne(deps, { messageId: 'm-1', body: body(request({ jobId: 'has space' })) }, far());
    assert.equal(deps.store.items.get('m-1')?.state, 'REJECTED');
  });

  it('a policy violation: REJECTED with the rule, no Job', async () => {
    const deps = testDeps();
    await processOne(
      deps,
      { messageId: 'm-1', body: body(request({ image: 'evil.example.com/x:1' })) },
      far(),
    );
    const record = deps.store.items.get('job-1');
    assert.equal(record?.reason, 'PolicyViolation');
    assert.deepEqual(
      record?.reasons?.map((r) => r.rule),
      ['policy.image_not_allowed'],
    );
    assert.equal(deps.kube.calls.length, 0);
  });

  it('403/422 from Kubernetes: a terminal REJECTED record with the API message, consumed', async () => {
    for (const [status, rule] of [
      [403, 'kube.forbidden'],
      [422, 'kube.invalid'],
    ] as const) {
      const deps = testDeps();
      deps.kube.failNext('create', {
        status,
        reason: 'Forbidden',
        message: 'violates PodSecurity "restricted:latest"',
      });
      const result = await runBatch(deps, [{ messageId: 'm-1', body: body(request()) }], {
        concurrency: 1,
        deadline: far(),
      });
      assert.deepEqual(result.batchItemFailures, []);
      const record = deps.store.items.get('job-1');
      assert.equal(record?.state, 'REJECTED');
      assert.equal(record?.reason, 'KubernetesRefused');
      assert.equal(record?.reasons?.[0]?.rule, rule);
      assert.match(record?.message ?? '', /PodSecurity/);
      assert.equal(record?.version, 2);
      assert.equal(
        deps.kube.calls.filter((c) => c === 'create').length,
        1,
        'a permanent refusal is not retried',
      );
    }
  });

  it('a Job that PodSecurity would refuse the pods of is deleted and REJECTED with the warning', async () => {
    const deps = testDeps();
    deps.kube.warnings = [
      'would violate PodSecurity "restricted:latest": hostPort (container "job" uses hostPort 8080)',
    ];
    assert.equal(await processOne(deps, { messageId: 'm-1', body: body(request()) }, far()), 'KubeRefused');
    const record = deps.store.items.get('job-1');
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reasons?.[0]?.rule, 'kube.pod_security');
    assert.match(record?.message ?? '', /hostPort/);
    assert.equal(deps.kube.jobs.size, 0);
  });

  it('transient faults are retried in process, honouring Retry-After, then succeed', async () => {
    const deps = testDeps();
    deps.kube.failNext('create', {
      status: 429,
      reason: 'TooManyRequests',
      message: 'slow down',
      retryAfterSeconds: 2,
    });
    deps.kube.failNext('create', { message: 'fetch failed (ECONNRESET)' });
    assert.equal(await processOne(deps, { messageId: 'm-1', body: body(request()) }, far()), 'Accepted');
    assert.ok((deps.slept[0] ?? 0) >= 2000, `waited ${deps.slept[0]}ms for Retry-After: 2`);
    assert.equal(deps.slept.length, 2);
  });

  it('transient faults beyond the bound become a batch item failure', async () => {
    const deps = testDeps();
    deps.kube.failNext('create', { status: 500, message: 'etcd timeout' }, 10);
    const result = await runBatch(deps, [{ messageId: 'm-1', body: body(request()) }], {
      concurrency: 1,
      deadline: far(),
    });
    assert.deepEqual(result.batchItemFailures, [{ itemIdentifier: 'm-1' }]);
    assert.equal(deps.kube.calls.length, 4, "bounded: KUBE_RETRY.attempts, the client's");
    assert.equal(deps.counts.get('RetryLater'), 1);
  });

  it('a Retry-After beyond the deadline goes back to the queue at once', async () => {
    const deps = testDeps();
    deps.kube.failNext('create', { status: 429, message: 'slow down', retryAfterSeconds: 120 });
    const result = await runBatch(deps, [{ messageId: 'm-1', body: body(request()) }], {
      concurrency: 1,
      deadline: Date.now() + 5000,
    });
    assert.equal(result.batchItemFailures.length, 1);
    assert.deepEqual(deps.slept, []);
  });

  it('a DynamoDB failure is a batch item failure and leaves no Job', async () => {
    const deps = testDeps();
    deps.store.create = async () => {
      throw Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' });
    };
    const result = await runBatch(deps, [{ messageId: 'm-1', body: body(request()) }], {
      concurrency: 1,
      deadline: far(),
    });
    assert.equal(result.batchItemFailures.length, 1);
    assert.equal(deps.kube.jobs.size, 0);
  });
});

describe('cancel', () => {
  const cancelBody = (extra: Record<string, unknown> = {}) =>
    body({ action: 'cancel', jobId: 'job-1', requestedBy: 'bob', reason: 'not needed', ...extra });

  it('cancels an active job: CANCELLED with who and why, the Job deleted', async () => {
    const deps = testDeps();
    await processOne(deps, { messageId: 'm-1', body: body(request()) }, far());
    assert.equal(await processOne(deps, { messageId: 'c-1', body: cancelBody() }, far()), 'CancelApplied');
    const record = deps.store.items.get('job-1');
    assert.equal(record?.state, 'CANCELLED');
    assert.deepEqual(
      { by: record?.cancellation?.by, reason: record?.cancellation?.reason },
      { by: 'bob', reason: 'not needed' },
    );
    assert.ok(record?.expiresAt);
    assert.equal(deps.kube.jobs.size, 0);
    // idempotent: a redelivery deletes again (404 is fine) and changes nothing
    assert.equal(await processOne(deps, { messageId: 'c-1', body: cancelBody() }, far()), 'CancelRepeated');
    assert.equal(deps.store.items.get('job-1')?.version, record?.version);
  });

  it('a cancel before its submit leaves a tombstone, and the submit then creates no Job', async () => {
    const deps = testDeps();
    assert.equal(
      await processOne(deps, { messageId: 'c-1', body: cancelBody() }, far()),
      'CancelBeforeSubmit',
    );
    assert.equal(deps.store.items.get('job-1')?.state, 'CANCELLED');
    assert.equal(
      await processOne(deps, { messageId: 'm-1', body: body(request()) }, far()),
      'SubmitAfterCancel',
    );
    assert.equal(deps.kube.calls.filter((c) => c === 'create').length, 0);
  });

  it('a cancel after completion records the outcome and changes nothing', async () => {
    const deps = testDeps();
    await processOne(deps, { messageId: 'm-1', body: body(request()) }, far());
    const record = deps.store.items.get('job-1');
    if (record) deps.store.items.set('job-1', { ...record, state: 'SUCCEEDED', version: record.version + 1 });
    assert.equal(await processOne(deps, { messageId: 'c-1', body: cancelBody() }, far()), 'CancelIgnored');
    assert.equal(deps.store.items.get('job-1')?.state, 'SUCCEEDED');
    assert.equal(deps.kube.jobs.size, 1, 'a finished Job is left to its TTL');
  });

  it('a cancel landing between the record write and the Job create: the submit deletes its Job', async () => {
    const deps = testDeps();
    const create = deps.kube.createJob.bind(deps.kube);
    deps.kube.createJob = async (job, options) => {
      // the cancel runs after our record write and before our create
      await processOne(deps, { messageId: 'c-1', body: cancelBody() }, far());
      return create(job, options);
    };
    // the batch's check after its creates finds the record CANCELLED
    const result = await runBatch(deps, [{ messageId: 'm-1', body: body(request()) }], {
      concurrency: 1,
      deadline: far(),
    });
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.counts.get('CancelRaceCleaned'), 1);
    assert.equal(deps.kube.jobs.size, 0);
    assert.equal(deps.store.items.get('job-1')?.state, 'CANCELLED');
  });

  it('in a batch, the cancel check is one read for all the Jobs the batch created', async () => {
    const deps = testDeps();
    const create = deps.kube.createJob.bind(deps.kube);
    deps.kube.createJob = async (job, options) => {
      // a cancel lands for job-2 between its record write and its create
      if (job.metadata?.annotations?.['eks-job-runner.io/job-id'] === 'job-2')
        await processOne(deps, { messageId: 'c-2', body: cancelBody({ jobId: 'job-2' }) }, far());
      return create(job, options);
    };
    const records = [1, 2, 3, 4, 5].map((i) => ({
      messageId: `m-${i}`,
      body: body(request({ jobId: `job-${i}` })),
    }));
    const readsBefore = deps.store.reads;
    const result = await runBatch(deps, records, { concurrency: 5, deadline: far() });
    assert.deepEqual(result.batchItemFailures, []);
    assert.equal(deps.store.statesCalls, 1);
    assert.equal(
      deps.store.reads - readsBefore,
      1,
      'only the cancel read its record; the submits read none one by one',
    );
    assert.equal(deps.kube.jobs.size, 4);
    assert.equal(deps.counts.get('CancelRaceCleaned'), 1);
    assert.equal(deps.store.items.get('job-2')?.state, 'CANCELLED');
  });

  it('an invalid cancel is recorded under the message id, never under the jobId it names', async () => {
    const deps = testDeps();
    await processOne(deps, { messageId: 'c-1', body: body({ action: 'cancel', jobId: 'job-1' }) }, far());
    assert.equal(deps.store.items.has('job-1'), false);
    assert.equal(deps.store.items.get('c-1')?.reasons?.[0]?.path, 'requestedBy');
  });
});
