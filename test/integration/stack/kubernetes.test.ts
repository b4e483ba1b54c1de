// The local Kubernetes stack is real: the scheduler binds pods to kwok nodes, the Job and
// TTL controllers run, RBAC limits the runner identity, PodSecurity admission enforces.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiException, type V1Job } from '@kubernetes/client-node';
import {
  eventually,
  isNotFound,
  type KubeClients,
  kubeClients,
  restrictedJob,
  uniqueName,
} from '../../support/kube.ts';
import { loadLocalStack } from '../../support/local-stack.ts';

const stack = loadLocalStack();
const namespace = stack.jobsNamespaces[0] ?? 'jobs';
/** The functions' identities: reconcile's can do what the tests below need but create. */
let runner: KubeClients;
let submitter: KubeClients;
let admin: KubeClients;
const created: string[] = [];

before(() => {
  runner = kubeClients(stack.kubeconfigs.reconcile);
  submitter = kubeClients(stack.kubeconfigs.submit);
  admin = kubeClients(stack.adminKubeconfig);
});

after(async () => {
  for (const name of created) {
    await admin.batch
      .deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' })
      .catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
  }
});

const condition = (job: V1Job, type: string) =>
  job.status?.conditions?.find((c) => c.type === type && c.status === 'True');

describe('the local Kubernetes stack', () => {
  test('a Job created by the runner runs on a kwok node, completes and is removed by the TTL controller', async () => {
    const name = uniqueName('stack-ok');
    created.push(name);
    await submitter.batch.createNamespacedJob({
      namespace,
      body: restrictedJob(
        name,
        namespace,
        { 'outcome.local/duration': '500ms' },
        { ttlSecondsAfterFinished: 2 },
      ),
    });

    const pod = await eventually('the pod to be bound to a node', async () => {
      const pods = await runner.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
      return pods.items.find((p) => p.spec?.nodeName);
    });
    assert.ok(stack.nodes.includes(pod.spec?.nodeName ?? ''), `bound to ${pod.spec?.nodeName}, a kwok node`);

    const done = await eventually('the Complete condition', async () => {
      const job = await runner.batch.readNamespacedJob({ name, namespace });
      return condition(job, 'Complete') ? job : undefined;
    });
    assert.equal(done.status?.succeeded, 1);

    await eventually('the TTL controller to delete the Job', async () => {
      try {
        await runner.batch.readNamespacedJob({ name, namespace });
        return undefined;
      } catch (error) {
        return isNotFound(error) ? true : undefined;
      }
    });
  });

  test('a scripted failure fails the Job with the exit code and termination message on the pod', async () => {
    const name = uniqueName('stack-fail');
    created.push(name);
    await submitter.batch.createNamespacedJob({
      namespace,
      body: restrictedJob(name, namespace, {
        'outcome.local/duration': '300ms',
        'outcome.local/exit-code': '42',
        'outcome.local/message': 'disk quota exceeded',
      }),
    });

    const failed = await eventually('the Failed condition', async () => {
      const job = await runner.batch.readNamespacedJob({ name, namespace });
      return condition(job, 'Failed') ? job : undefined;
    });
    assert.equal(condition(failed, 'Failed')?.reason, 'BackoffLimitExceeded');

    const pods = await runner.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
    const terminated = pods.items[0]?.status?.containerStatuses?.[0]?.state?.terminated;
    assert.equal(pods.items[0]?.status?.phase, 'Failed');
    assert.equal(terminated?.exitCode, 42);
    assert.equal(terminated?.message, 'disk quota exceeded');
  });

  test('the reconcile identity can read a pod log through the apiserver', async () => {
    const name = uniqueName('stack-log');
    created.push(name);
    await submitter.batch.createNamespacedJob({
      namespace,
      body: restrictedJob(name, namespace, { 'outcome.local/duration': '300ms' }),
    });
    const pod = await eventually('the pod to finish', async () => {
      const pods = await runner.core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
      return pods.items.find((p) => p.status?.phase === 'Succeeded');
    });
    const log = await runner.core.readNamespacedPodLog({
      name: pod.metadata?.name ?? '',
      namespace,
      tailLines: 1,
    });
    assert.equal(log.trim(), 'done');
  });

  test("each function's identity is refused what its Role does not grant", async () => {
    const forbidden = async (what: string, call: () => Promise<unknown>) => {
      await assert.rejects(call, (error: unknown) => {
        assert.ok(error instanceof ApiException, `${what}: ${String(error)}`);
        assert.equal(error.code, 403, what);
        return true;
      });
    };
    for (const identity of [runner, submitter]) {
      await forbidden('list secrets', () => identity.core.listNamespacedSecret({ namespace }));
      await forbidden('create pods', () =>
        identity.core.createNamespacedPod({
          namespace,
          body: {
            metadata: { name: uniqueName('direct') },
            spec: { containers: [{ name: 'c', image: 'busybox' }] },
          },
        }),
      );
      await forbidden('create jobs in a namespace without the Role', () =>
        identity.batch.createNamespacedJob({
          namespace: 'default',
          body: restrictedJob(uniqueName('x'), 'default'),
        }),
      );
      await forbidden('update jobs', () =>
        identity.batch.replaceNamespacedJob({
          name: 'anything',
          namespace,
          body: restrictedJob('anything', namespace),
        }),
      );
      await forbidden('delete pods', () =>
        identity.core.deleteNamespacedPod({ name: 'anything', namespace }),
      );
    }
    // reconcile never creates a Job; submit reads no pods or logs, lists nothing, patches no pod
    // (it patches Jobs: spec.suspend, for admission and the suspend action).
    await forbidden('reconcile: create jobs', () =>
      runner.batch.createNamespacedJob({ namespace, body: restrictedJob(uniqueName('r'), namespace) }),
    );
    await forbidden('submit: list pods', () => submitter.core.listNamespacedPod({ namespace }));
    await forbidden('submit: read logs', () =>
      submitter.core.readNamespacedPodLog({ name: 'anything', namespace }),
    );
    await forbidden('submit: list jobs', () => submitter.batch.listNamespacedJob({ namespace }));
    await forbidden('submit: patch pods', () =>
      submitter.core.patchNamespacedPod({ name: 'anything', namespace, body: [] }),
    );
  });

  test('PodSecurity admission refuses a pod that does not meet the restricted profile', async () => {
    const body = {
      metadata: { name: uniqueName('privileged') },
      // No securityContext: root allowed, capabilities kept, no seccomp profile.
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    };
    await assert.rejects(
      () => admin.core.createNamespacedPod({ namespace, body }),
      (error: unknown) => {
        assert.ok(error instanceof ApiException);
        assert.equal(error.code, 403);
        // client-node 2.x leaves the Status body as raw text
        const status = JSON.parse(String(error.body)) as { message: string };
        assert.match(status.message, /violates PodSecurity "restricted:latest"/);
        assert.match(status.message, /runAsNonRoot != true/);
        return true;
      },
    );
  });
});
