// A request whose Job cannot be created until an operator fixes the cluster: its message uses up
// its deliveries (it would move to the DLQ), reconcile runs long after, then the operator redrives
// the message. The Job is created exactly once, and reconcile never took the record for LOST.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { KubeConfig, RbacAuthorizationV1Api, type V1Role, type V1RoleBinding } from '@kubernetes/client-node';
import { load } from 'js-yaml';
import { reconcile } from '../../../functions/reconcile/reconciler.ts';
import { runBatch } from '../../../functions/submit/batch.ts';
import { DynamoDbJobQueries } from '../../../shared/adapters/dynamodb/job-queries.ts';
import { KubeWatchClient } from '../../../shared/adapters/kubernetes/watch-client.ts';
import { jobName } from '../../../shared/core/job/name.ts';
import { JOBS_QUEUE } from '../../../shared/resources.ts';
import { deleteJobForGood } from '../../support/kube.ts';
import { admin, documentClient, getRecord, realDeps, repoRoot, stack, store, uid } from './support.ts';

const namespace = uid('redrive');
const adminKc = new KubeConfig();
adminKc.loadFromFile(stack.adminKubeconfig);
const rbac = adminKc.makeApiClient(RbacAuthorizationV1Api);

const policy = {
  images: { allowedPrefixes: ['public.ecr.aws/docker/library/busybox'] },
  // These records carry no SenderId (as a redrive test of the use case): only `*` maps them.
  principals: [{ senderId: '*', owners: ['*'] }],
};
const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    owner: 'it-redrive',
    image: 'public.ecr.aws/docker/library/busybox:1.36',
    command: ['sh', '-c', 'true'],
    namespace,
    podAnnotations: { 'outcome.local/duration': '200ms' },
    ...extra,
  });

/** The Jobs of a jobId in the test's namespace. */
async function jobsFor(jobId: string) {
  const list = await admin.batch.listNamespacedJob({
    namespace,
    fieldSelector: `metadata.name=${jobName(jobId)}`,
  });
  return list.items;
}

/** The functions' Roles and RoleBindings, from the same file CDK and the stack apply. */
async function grantRunner(): Promise<void> {
  const text = readFileSync(resolve(repoRoot, 'infra/k8s/rbac.yaml'), 'utf8').replaceAll(
    'NAMESPACE',
    namespace,
  );
  for (const doc of text.split(/^---$/m).map((part) => load(part) as V1Role | V1RoleBinding)) {
    if (doc.kind === 'Role') await rbac.createNamespacedRole({ namespace, body: doc as V1Role });
    else await rbac.createNamespacedRoleBinding({ namespace, body: doc as V1RoleBinding });
  }
}

/** Every delivery of a message: it fails each time until its receives are used up. */
async function deliverUntilDeadLettered(
  deps: ReturnType<typeof realDeps>,
  messageBody: string,
  messageId: string,
) {
  for (let receive = 1; receive <= JOBS_QUEUE.maxReceiveCount; receive++) {
    const out = await runBatch(deps, [{ messageId, body: messageBody }], {
      concurrency: 1,
      deadline: Date.now() + 10_000,
    });
    assert.deepEqual(
      out.batchItemFailures,
      [{ itemIdentifier: messageId }],
      `receive ${receive} is left for later`,
    );
  }
}

describe('a DLQ redrive (local stack)', () => {
  after(async () => {
    for (const job of (await admin.batch.listNamespacedJob({ namespace }).catch(() => ({ items: [] })))
      .items) {
      await deleteJobForGood(admin, namespace, job.metadata?.name ?? '');
    }
    await admin.core.deleteNamespace({ name: namespace }).catch(() => {});
  });

  it('creates its Job exactly once, whatever happened in between; reconcile kept the record SUBMITTED', async () => {
    await admin.core.createNamespace({
      body: {
        metadata: {
          name: namespace,
          labels: {
            'pod-security.kubernetes.io/enforce': 'restricted',
            'pod-security.kubernetes.io/enforce-version': 'latest',
          },
        },
      },
    });
    const deps = realDeps(policy, [namespace]);
    const jobId = uid('redriven');
    const request = body({ jobId });
    // The runner may not create Jobs there yet (no RoleBinding): a fault of the deployment, retried.
    await deliverUntilDeadLettered(deps, request, 'first-delivery');
    assert.equal((await getRecord(jobId))?.state, 'SUBMITTED');
    assert.equal((await jobsFor(jobId)).length, 0);

    // The operator fixes the cluster; reconcile runs an hour later (its clock moved on), while the
    // message waits in the DLQ: the record stays SUBMITTED and says why.
    await grantRunner();
    const kc = new KubeConfig();
    kc.loadFromFile(stack.kubeconfigs.reconcile);
    const stats = await reconcile(
      {
        kube: new KubeWatchClient(kc),
        store,
        reader: new DynamoDbJobQueries(documentClient, stack.aws.tableName),
        now: () => new Date(Date.now() + 3600_000),
      },
      { namespaces: [namespace], windowMs: 0 },
    );
    assert.equal(stats.errors, 0);
    const waiting = await getRecord(jobId);
    assert.equal(waiting?.state, 'SUBMITTED');
    assert.equal(waiting?.reason, 'AwaitingJob');

    // The redrive: the same body, under the new message id a move from the DLQ gives it.
    const redriven = await runBatch(deps, [{ messageId: 'redriven', body: request }], {
      concurrency: 1,
      deadline: Date.now() + 10_000,
    });
    assert.deepEqual(redriven.batchItemFailures, []);
    assert.equal((await jobsFor(jobId)).length, 1, 'the Job is created by the redrive');
    // A second redrive (or a copy left in the queue) makes no second Job.
    await runBatch(deps, [{ messageId: 'redriven-again', body: request }], {
      concurrency: 1,
      deadline: Date.now() + 10_000,
    });
    assert.equal((await jobsFor(jobId)).length, 1);
  });

  it('a request without jobId is keyed by its message id: a redrive makes it a new job (docs/request.md)', async () => {
    const deps = realDeps(policy, [namespace]);
    await runBatch(deps, [{ messageId: uid('m1'), body: body() }], {
      concurrency: 1,
      deadline: Date.now() + 10_000,
    });
    const redriveId = uid('m2');
    await runBatch(deps, [{ messageId: redriveId, body: body() }], {
      concurrency: 1,
      deadline: Date.now() + 10_000,
    });
    assert.equal((await getRecord(redriveId))?.state, 'SUBMITTED');
    assert.equal((await jobsFor(redriveId)).length, 1);
  });
});
