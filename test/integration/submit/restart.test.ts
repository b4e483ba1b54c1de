import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ANNOTATIONS, LABELS } from '../../../shared/core/job/labels.ts';
import { labelValue } from '../../../shared/core/job/name.ts';
import {
  buildBundles,
  createQueues,
  type Queues,
  queueDepth,
  type Runtime,
  sendAll,
  stackCtl,
  startRuntime,
} from './pipeline.ts';
import { admin, cleanup, getRecord, stack, uid, waitFor } from './support.ts';

const UNIQUE = 60;
const DUPLICATES = 20;

describe('the apiserver stopped mid-batch and restarted (SQS -> runtime -> submit bundle)', () => {
  const owner = uid('restart');
  const jobIds = Array.from({ length: UNIQUE }, (_, i) => `${owner}-${i}`);
  let queues: Queues;
  let runtime: Runtime | undefined;

  before(async () => {
    queues = await createQueues('it-restart', { visibilityTimeoutSeconds: 4, maxReceiveCount: 20 });
  });
  after(async () => {
    await runtime?.stop();
    await queues.delete();
    await cleanup(jobIds);
  });

  function failedInvocations(): number {
    return (runtime?.lines ?? [])
      .map((line) => {
        try {
          return JSON.parse(line) as { event?: string; failures?: number };
        } catch {
          return {};
        }
      })
      .filter((r) => r.event === 'invocation' && (r.failures ?? 0) > 0).length;
  }

  async function jobsByJobId(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const namespace of stack.jobsNamespaces) {
      const list = await admin.batch.listNamespacedJob({
        namespace,
        labelSelector: `${LABELS.owner}=${labelValue(owner)}`,
      });
      for (const job of list.items) {
        const id = job.metadata?.annotations?.[ANNOTATIONS.jobId] ?? '?';
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
    }
    return counts;
  }

  it('nothing lost, nothing doubled', { timeout: 240_000 }, async () => {
    const body = (jobId: string) =>
      JSON.stringify({
        jobId,
        owner,
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        command: ['true'],
        podAnnotations: { 'outcome.local/duration': '200ms' },
      });
    // every job once, and a third of them again (an at-least-once producer)
    const bodies = [...jobIds.map(body), ...jobIds.slice(0, DUPLICATES).map(body)];
    const dist = await buildBundles();
    runtime = startRuntime(queues, dist, { batchSize: 5, concurrency: 2 });
    await sendAll(queues.url, bodies.slice(0, 20));
    // the first jobs are through: stop the apiserver while the rest are in flight
    await waitFor(
      'the first Jobs',
      async () => ((await jobsByJobId()).size >= 5 ? true : undefined),
      60_000,
      200,
    );
    await sendAll(queues.url, bodies.slice(20));
    await stackCtl('stop', 'kube-apiserver');
    const stoppedAt = Date.now();
    try {
      // deliveries fail and go back to the queue while it is down
      await waitFor(
        'failed invocations while the apiserver is down',
        async () => (failedInvocations() > 0 ? true : undefined),
        20_000,
        200,
      ).catch(() => undefined);
      const downFor = 5000 - (Date.now() - stoppedAt);
      if (downFor > 0) await new Promise((r) => setTimeout(r, downFor));
    } finally {
      await stackCtl('start', 'kube-apiserver');
    }
    await waitFor(
      'the queue to drain',
      async () => {
        const depth = await queueDepth(queues.url);
        return depth.visible + depth.inFlight === 0 ? true : undefined;
      },
      180_000,
      1000,
    );
    const counts = await jobsByJobId();
    const missing = jobIds.filter((id) => !counts.has(id));
    const doubled = [...counts].filter(([, n]) => n > 1);
    assert.deepEqual(missing, [], 'nothing lost');
    assert.deepEqual(doubled, [], 'nothing doubled');
    assert.equal(counts.size, UNIQUE);
    assert.deepEqual(await queueDepth(queues.dlqUrl), { visible: 0, inFlight: 0 }, 'nothing in the DLQ');
    for (const jobId of jobIds) assert.ok((await getRecord(jobId))?.requestHash, `${jobId} has its record`);
    console.log(
      `# invocations with records left for redelivery while the apiserver was down: ${failedInvocations()}`,
    );
    assert.ok(
      failedInvocations() > 0,
      'the stop happened mid-batch: some deliveries failed and were redelivered',
    );
  });
});
