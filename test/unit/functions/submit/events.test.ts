import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runBatch } from '../../../../functions/submit/batch.ts';
import { body, far, processOne, request, testDeps } from './fakes.ts';

const cancelBody = (jobId = 'job-1') =>
  body({ action: 'cancel', jobId, requestedBy: 'bob', reason: 'not needed' });
const batch = (deps: ReturnType<typeof testDeps>, records: { messageId: string; body: string }[]) =>
  runBatch(deps, records, { concurrency: 4, deadline: far() });

/**
 * Submit's writes as the table's stream carries them to the publish function (store.events
 * applies its changeEvent to every write that took effect).
 */
describe('the REJECTED and CANCELLED transitions submit writes make one event each', () => {
  it('a rejected request: one REJECTED event with the reasons, matching the record', async () => {
    const deps = testDeps();
    const invalid = {
      messageId: 'm-1',
      body: body(request({ retries: -1, labels: { 'eks-job-runner.io/x': 'y' } })),
    };
    assert.deepEqual((await batch(deps, [invalid])).batchItemFailures, []);
    const record = deps.store.items.get('job-1');
    assert.equal(record?.state, 'REJECTED');
    assert.equal(deps.store.events.length, 1);
    const [event] = deps.store.events;
    assert.equal(event?.source, 'eks-job-runner');
    assert.equal(event?.detailType, 'Job State Change');
    assert.equal(event?.time, record?.updatedAt);
    assert.deepEqual(event?.detail, {
      schemaVersion: '1',
      eventId: 'job-1#1',
      jobId: 'job-1',
      owner: 'alice',
      state: 'REJECTED',
      terminal: true,
      reason: 'InvalidRequest',
      message: record?.message,
      at: record?.updatedAt,
      createdAt: record?.createdAt,
      version: 1,
    });
    // the message carries the reasons' paths, so a rule's target can tell what was wrong
    assert.match(event?.detail.message ?? '', /labels\.eks-job-runner\.io\/x/);
    assert.match(event?.detail.message ?? '', /retries/);
  });

  it('whatever refused a request; an accepted one makes none', async () => {
    const deps = testDeps();
    deps.kube.failNext('create', { status: 403, reason: 'Forbidden', message: 'jobs is forbidden' });
    await processOne(deps, { messageId: 'm-0', body: body(request({ jobId: 'taken' })) }, far());
    const before = deps.store.events.length;
    const result = await batch(deps, [
      { messageId: 'm-1', body: body(request({ jobId: 'bad', retries: -1 })) },
      { messageId: 'm-2', body: body(request({ jobId: 'policy', image: 'evil.example.com/x:1' })) },
      { messageId: 'm-3', body: body(request({ jobId: 'fine' })) },
      { messageId: 'm-4', body: body(request({ jobId: 'taken', command: ['other'] })) },
    ]);
    assert.deepEqual(result.batchItemFailures, []);
    const byId = new Map(deps.store.events.slice(before).map((e) => [e.detail.jobId, e.detail]));
    assert.deepEqual(
      [...byId.keys()].sort(),
      ['bad', 'm-4', 'policy'],
      'an accepted submit publishes nothing',
    );
    assert.equal(byId.get('bad')?.reason, 'InvalidRequest');
    assert.equal(byId.get('policy')?.reason, 'PolicyViolation');
    assert.equal(byId.get('m-4')?.reason, 'JobIdConflict', 'a conflict is recorded under the message id');
  });

  it('a Kubernetes refusal: REJECTED after SUBMITTED, at the version it wrote', async () => {
    const deps = testDeps();
    deps.kube.failNext('create', { status: 422, reason: 'Invalid', message: 'spec.template: Invalid value' });
    await batch(deps, [{ messageId: 'm-1', body: body(request()) }]);
    assert.equal(deps.store.events.length, 1);
    const detail = deps.store.events[0]?.detail;
    assert.equal(detail?.state, 'REJECTED');
    assert.equal(detail?.previousState, 'SUBMITTED');
    assert.equal(detail?.reason, 'KubernetesRefused');
    assert.match(detail?.message ?? '', /Invalid value/);
    assert.equal(detail?.version, deps.store.items.get('job-1')?.version);
    assert.equal(detail?.namespace, 'jobs');
  });

  it('a cancel: one CANCELLED event; its redelivery publishes nothing', async () => {
    const deps = testDeps();
    await batch(deps, [{ messageId: 'm-1', body: body(request()) }]);
    assert.equal(deps.store.events.length, 0, 'SUBMITTED makes no event');
    await batch(deps, [{ messageId: 'c-1', body: cancelBody() }]);
    assert.equal(deps.store.events.length, 1);
    const detail = deps.store.events[0]?.detail;
    const record = deps.store.items.get('job-1');
    assert.equal(detail?.state, 'CANCELLED');
    assert.equal(detail?.previousState, 'SUBMITTED');
    assert.equal(detail?.terminal, true);
    assert.equal(detail?.version, record?.version);
    assert.equal(detail?.jobName, record?.jobName);

    await batch(deps, [{ messageId: 'c-1', body: cancelBody() }]);
    assert.equal(deps.counts.get('CancelRepeated'), 1);
    assert.equal(deps.store.events.length, 1, 'the repeated cancel wrote nothing');
  });

  it('a cancel before its submit: a CANCELLED tombstone event', async () => {
    const deps = testDeps();
    await batch(deps, [{ messageId: 'c-1', body: cancelBody() }]);
    assert.equal(deps.store.events.length, 1);
    const detail = deps.store.events[0]?.detail;
    assert.equal(detail?.state, 'CANCELLED');
    assert.equal(detail?.reason, 'CancelledBeforeSubmit');
    assert.equal(detail?.previousState, undefined);
    assert.equal(detail?.owner, 'bob');
  });

  it('a redelivered rejection writes nothing, so makes no event', async () => {
    const deps = testDeps();
    const invalid = { messageId: 'm-1', body: body(request({ retries: -1 })) };
    await batch(deps, [invalid]);
    await batch(deps, [invalid]);
    await batch(deps, [invalid, invalid]);
    assert.equal(deps.counts.get('Rejected'), 1);
    assert.equal(deps.counts.get('Duplicate'), 3);
    assert.equal(deps.store.writes, 1);
    assert.equal(deps.store.events.length, 1);
  });

  it('a message that fails after its write has its event, once', async () => {
    const deps = testDeps();
    await batch(deps, [{ messageId: 'm-1', body: body(request()) }]);
    // the record is CANCELLED, then every delete attempt fails: the message is left for redelivery
    deps.kube.failNext('delete', { status: 503, message: 'unavailable' }, 10);
    const first = await batch(deps, [{ messageId: 'c-1', body: cancelBody() }]);
    assert.deepEqual(first.batchItemFailures, [{ itemIdentifier: 'c-1' }]);
    assert.equal(deps.store.items.get('job-1')?.state, 'CANCELLED');
    assert.equal(deps.store.events.length, 1);
    deps.kube.failures.length = 0;
    const again = await batch(deps, [{ messageId: 'c-1', body: cancelBody() }]);
    assert.deepEqual(again.batchItemFailures, []);
    assert.equal(deps.store.events.length, 1, 'the redelivery finishes the delete and writes nothing');
  });
});
