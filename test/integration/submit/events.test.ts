import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventTap } from '../reconcile/support.ts';
import {
  buildBundles,
  createQueues,
  type Queues,
  queueDepth,
  type Runtime,
  sendAll,
  startRuntime,
} from './pipeline.ts';
import { cleanup, getRecord, uid, waitFor } from './support.ts';

type Tap = Awaited<ReturnType<typeof eventTap>>;
interface Detail {
  jobId: string;
  state: string;
  previousState?: string;
  owner: string;
  reason?: string;
  message?: string;
  version: number;
}

const owner = uid('events');
const invalidId = `${owner}-invalid`;
const cancelledId = `${owner}-cancelled`;
const tombstoneId = `${owner}-tombstone`;
const invalid = JSON.stringify({
  jobId: invalidId,
  owner,
  image: 'public.ecr.aws/docker/library/busybox:1.36',
  command: ['true'],
  retries: -1,
  labels: { 'eks-job-runner.io/x': 'y' },
});
const submit = JSON.stringify({
  jobId: cancelledId,
  owner,
  image: 'public.ecr.aws/docker/library/busybox:1.36',
  command: ['sleep', '60'],
  podAnnotations: { 'outcome.local/duration': '60s' },
});
const cancel = (jobId: string) =>
  JSON.stringify({ action: 'cancel', jobId, requestedBy: 'it-operator', reason: 'no longer needed' });

/**
 * The whole path (SQS -> local runtime -> submit bundle, with the environment CDK sets) and a rule
 * on the stack's bus with an SQS target, as a user's rule on failures would be.
 */
describe('submit publishes REJECTED and CANCELLED to the bus (local stack)', () => {
  let tap: Tap | undefined;
  let queues: Queues | undefined;
  let runtime: Runtime | undefined;

  before(async () => {
    tap = await eventTap([invalidId, cancelledId, tombstoneId]);
    queues = await createQueues('it-events');
    runtime = startRuntime(queues, await buildBundles(), { batchSize: 10, concurrency: 2 });
  });
  after(async () => {
    await runtime?.stop();
    await queues?.delete();
    await tap?.close();
    await cleanup([cancelledId]);
  });

  const drained = (what: string) =>
    waitFor(what, async () => {
      const depth = await queueDepth(queues?.url ?? '');
      return depth.visible + depth.inFlight === 0 ? true : undefined;
    });
  // The submit function publishes REJECTED and CANCELLED only; a reconciler running on the same
  // stack may publish the others for the submitted job, which this test does not count.
  const received = async (): Promise<Detail[]> =>
    ((await tap?.received()) ?? [])
      .map((e) => e.detail as unknown as Detail)
      .filter((d) => d.state === 'REJECTED' || d.state === 'CANCELLED');

  it('an invalid request, a cancel and a cancel before submit: one event each, redeliveries none', {
    timeout: 120_000,
  }, async () => {
    const url = queues?.url ?? '';
    await sendAll(url, [invalid, submit, cancel(tombstoneId)]);
    await waitFor('the records', async () => {
      const [a, b, c] = await Promise.all([
        getRecord(invalidId),
        getRecord(cancelledId),
        getRecord(tombstoneId),
      ]);
      return a && b && c ? true : undefined;
    });
    await sendAll(url, [cancel(cancelledId)]);
    await waitFor('the cancel', async () =>
      (await getRecord(cancelledId))?.state === 'CANCELLED' ? true : undefined,
    );
    // at-least-once producers: the same messages again write nothing, so publish nothing
    await sendAll(url, [invalid, cancel(cancelledId), cancel(tombstoneId)]);
    await drained('the repeated messages to be consumed');

    const events = await waitFor('the three events', async () => {
      const all = await received();
      return all.length >= 3 ? all : undefined;
    });
    const rejected = await getRecord(invalidId);
    const cancelled = await getRecord(cancelledId);
    const tombstone = await getRecord(tombstoneId);
    const byJob = (jobId: string) => events.filter((d) => d.jobId === jobId);

    assert.equal(rejected?.state, 'REJECTED');
    assert.deepEqual(
      byJob(invalidId).map((d) => ({ state: d.state, reason: d.reason, owner: d.owner, version: d.version })),
      [{ state: 'REJECTED', reason: 'InvalidRequest', owner, version: rejected?.version }],
    );
    // the reasons, as the record's message summarises them
    const message = byJob(invalidId)[0]?.message ?? '';
    assert.equal(message, rejected?.message);
    assert.deepEqual(rejected?.reasons?.map((r) => r.path).sort(), ['labels.eks-job-runner.io/x', 'retries']);
    for (const reason of rejected?.reasons ?? []) assert.ok(message.includes(reason.path), message);

    assert.equal(cancelled?.state, 'CANCELLED');
    assert.deepEqual(
      byJob(cancelledId).map((d) => ({ state: d.state, version: d.version })),
      [{ state: 'CANCELLED', version: cancelled?.version }],
    );
    assert.ok(byJob(cancelledId)[0]?.previousState, 'the state it was cancelled from');

    assert.deepEqual(
      byJob(tombstoneId).map((d) => ({ state: d.state, reason: d.reason, owner: d.owner })),
      [{ state: 'CANCELLED', reason: 'CancelledBeforeSubmit', owner: 'it-operator' }],
    );
    assert.equal(tombstone?.version, 1);

    // anything published late would show up here: still one event per transition
    assert.equal((await received()).length, 3);
  });
});
