import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { runBatch } from '../../../functions/submit/batch.ts';
import type { PolicyInput } from '../../../shared/core/submit/policy.ts';
import {
  admin,
  cleanup,
  context,
  getRecord,
  jobsFor,
  realDeps,
  sqsEvent,
  sqsRecord,
  submitHandler,
  uid,
  waitFor,
} from './support.ts';

const created = new Set<string>();
const IMAGE = 'public.ecr.aws/docker/library/busybox:1.36';
const request = (jobId: string, extra: Record<string, unknown> = {}) => {
  created.add(jobId);
  return { jobId, owner: 'it-errors', image: IMAGE, command: ['true'], ...extra };
};
const far = () => Date.now() + 25_000;
/** The policies of these tests map the SenderId that sqsRecord gives every record. */
const principals = [{ senderId: 'test', owners: ['*'] }];

describe('every error has a class and a home (local stack)', () => {
  after(() => cleanup(created));

  it('invalid JSON and a non-object body: REJECTED under the message id, consumed', async () => {
    const handler = await submitHandler();
    const bad = sqsRecord('{"jobId": "x", ');
    const array = sqsRecord('[1,2]');
    const out = await handler(sqsEvent([bad, array]), context());
    assert.deepEqual(out.batchItemFailures, []);
    const a = await getRecord(bad.messageId);
    assert.equal(a?.state, 'REJECTED');
    assert.equal(a?.reasons?.[0]?.rule, 'request.invalid_json');
    assert.equal(a?.owner, 'unknown');
    assert.ok((a?.expiresAt ?? 0) > Date.now() / 1000, 'rejections expire by TTL');
    assert.equal((await getRecord(array.messageId))?.reasons?.[0]?.rule, 'schema.invalid_type');
  });

  it('a schema violation: REJECTED under the jobId with field paths and rule ids, no Job', async () => {
    const handler = await submitHandler();
    const jobId = uid('schema');
    const out = await handler(
      sqsEvent([
        sqsRecord(
          request(jobId, {
            retries: -1,
            completionMode: 'Indexed',
            labels: { 'eks-job-runner.io/owner': 'me' },
          }),
        ),
      ]),
      context(),
    );
    assert.deepEqual(out.batchItemFailures, []);
    const record = await getRecord(jobId);
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reason, 'InvalidRequest');
    // cross-field rules (Indexed needs completions) are checked once the fields themselves are valid
    assert.deepEqual(record?.reasons?.map((r) => `${r.path} ${r.rule}`).sort(), [
      'labels.eks-job-runner.io/owner labels.reserved_prefix',
      'retries schema.too_small',
    ]);
    assert.equal((await jobsFor(jobId)).length, 0);
  });

  it('each policy rule of the example policy refuses, with its rule id, through the deployed handler', async () => {
    const handler = await submitHandler();
    const cases: [Record<string, unknown>, string][] = [
      [{ namespace: 'default' }, 'namespace policy.namespace_not_allowed'],
      [{ image: 'quay.io/evil/miner:1' }, 'image policy.image_not_allowed'],
      [
        { env: [{ name: 'K', secretRef: { name: 'cluster-admin-token', key: 'k' } }] },
        'env[0].secretRef.name policy.secret_not_allowed',
      ],
      [{ serviceAccountName: 'admin' }, 'serviceAccountName policy.service_account_not_allowed'],
      [
        { serviceAccountName: 'job-runner', automountServiceAccountToken: true },
        'automountServiceAccountToken policy.token_not_allowed',
      ],
      [{ priorityClassName: 'system-node-critical' }, 'priorityClassName policy.priority_class_not_allowed'],
      [
        { volumes: [{ name: 'd', mountPath: '/d', persistentVolumeClaim: { claimName: 'other' } }] },
        'volumes[0].persistentVolumeClaim.claimName policy.pvc_not_allowed',
      ],
      [
        { volumes: [{ name: 'd', mountPath: '/d', configMap: { name: 'other' } }] },
        'volumes[0].configMap.name policy.config_map_not_allowed',
      ],
      [
        { tolerations: [{ key: 'node-role.kubernetes.io/control-plane', operator: 'Exists' }] },
        'tolerations[0].key policy.toleration_not_allowed',
      ],
      [
        { nodeSelector: { 'kubernetes.io/hostname': 'kwok-gpu' } },
        'nodeSelector.kubernetes.io/hostname policy.node_selector_not_allowed',
      ],
      [{ resources: { cpu: '9' } }, 'resources.cpu policy.resource_cap'],
      [{ resources: { memory: '33Gi' } }, 'resources.memory policy.resource_cap'],
      [{ resources: { ephemeralStorage: '51Gi' } }, 'resources.ephemeralStorage policy.resource_cap'],
      [{ resources: { gpu: 5 } }, 'resources.gpu policy.resource_cap'],
      [{ timeoutSeconds: 86401 }, 'timeoutSeconds policy.timeout_cap'],
      [{ retries: 11 }, 'retries policy.retries_cap'],
      [{ parallelism: 51 }, 'parallelism policy.parallelism_cap'],
      [{ completions: 1001 }, 'completions policy.completions_cap'],
      [{ ttlSecondsAfterFinished: 8 * 24 * 3600 }, 'ttlSecondsAfterFinished policy.ttl_range'],
    ];
    const ids = cases.map(([,], i) => uid(`policy-${i}`));
    const out = await handler(
      sqsEvent(cases.map(([extra], i) => sqsRecord(request(ids[i] as string, extra)))),
      context(),
    );
    assert.deepEqual(out.batchItemFailures, []);
    for (const [i, [, expected]] of cases.entries()) {
      const record = await getRecord(ids[i] as string);
      assert.equal(record?.state, 'REJECTED', expected);
      assert.equal(record?.reason, 'PolicyViolation');
      assert.deepEqual(
        record?.reasons?.map((r) => `${r.path} ${r.rule}`),
        [expected],
      );
    }
    const jobs = await Promise.all(ids.map(jobsFor));
    assert.equal(jobs.flat().length, 0);
  });

  it('a request only PodSecurity admission would refuse: the Job is removed and the record REJECTED with its message', async () => {
    // An operator template that restricted forbids (a host port); the request itself passes our checks.
    const policy: PolicyInput = {
      images: { allowedRegistries: ['public.ecr.aws'] },
      principals,
      template: {
        spec: {
          template: {
            spec: { containers: [{ name: 'job', ports: [{ containerPort: 80, hostPort: 8080 }] }] },
          },
        },
      },
    };
    const jobId = uid('psa');
    const out = await runBatch(realDeps(policy), [sqsRecord(request(jobId))], {
      concurrency: 1,
      deadline: far(),
    });
    assert.deepEqual(out.batchItemFailures, []);
    const record = await getRecord(jobId);
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reason, 'KubernetesRefused');
    assert.equal(record?.reasons?.[0]?.rule, 'kube.pod_security');
    assert.match(record?.message ?? '', /would violate PodSecurity "restricted:latest": hostPort/);
    assert.equal((await jobsFor(jobId)).filter((j) => !j.metadata?.deletionTimestamp).length, 0);
  });

  it('the restricted Job we render passes the same admission (pods are created and run)', async () => {
    const handler = await submitHandler();
    const jobId = uid('restricted');
    await handler(
      sqsEvent([sqsRecord(request(jobId, { podAnnotations: { 'outcome.local/duration': '500ms' } }))]),
      context(),
    );
    const [job] = await jobsFor(jobId);
    const pods = await waitFor('a pod of the job', async () => {
      const list = await admin.core.listNamespacedPod({
        namespace: job?.metadata?.namespace ?? '',
        labelSelector: `batch.kubernetes.io/job-name=${job?.metadata?.name}`,
      });
      return list.items.length > 0 ? list.items : undefined;
    });
    const sc = pods[0]?.spec?.containers[0]?.securityContext;
    assert.equal(sc?.allowPrivilegeEscalation, false);
    assert.equal(pods[0]?.spec?.automountServiceAccountToken, false);
  });

  it('403 from RBAC is a deployment fault, not the request: retried, a batch item failure (then the DLQ), no REJECTED record', async () => {
    const jobId = uid('rbac');
    const deps = realDeps(
      { images: { allowedRegistries: ['public.ecr.aws'] }, principals, namespaces: ['default'] },
      ['default'],
    );
    const out = await runBatch(deps, [sqsRecord(request(jobId))], { concurrency: 1, deadline: far() });
    assert.equal(out.batchItemFailures.length, 1);
    assert.equal((await getRecord(jobId))?.state, 'SUBMITTED', 'kept for the redelivery once RBAC is fixed');
  });

  it('403 from admission (a ValidatingAdmissionPolicy): a terminal REJECTED record with the API message', async () => {
    const name = uid('deny-label');
    const policy = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            { apiGroups: ['batch'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['jobs'] },
          ],
        },
        validations: [
          {
            expression: `!has(object.metadata.labels) || !('it.example.com/${name}' in object.metadata.labels)`,
            message: 'jobs with this label are refused by the cluster policy',
            reason: 'Forbidden',
          },
        ],
      },
    };
    const binding = {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name },
      spec: { policyName: name, validationActions: ['Deny'] },
    };
    const { admission } = await import('./support.ts');
    await admission.createValidatingAdmissionPolicy({ body: policy });
    await admission.createValidatingAdmissionPolicyBinding({ body: binding });
    try {
      const labels = { [`it.example.com/${name}`]: 'yes' };
      // the policy takes effect once the apiserver has loaded it: probe with a server-side dry run
      await waitFor('the admission policy to be in force', async () => {
        const probe = {
          metadata: { name: 'probe', labels },
          spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
        };
        const refused = await admin.batch
          .createNamespacedJob({ namespace: 'jobs', body: probe, dryRun: 'All' })
          .then(
            () => undefined,
            (e: { code?: number; body?: unknown }) =>
              e.code === 403 && String(e.body).includes('cluster policy') ? true : undefined,
          );
        return refused;
      });
      const jobId = uid('admission');
      const out = await runBatch(
        realDeps({ images: { allowedRegistries: ['public.ecr.aws'] }, principals }),
        [sqsRecord(request(jobId, { labels }))],
        {
          concurrency: 1,
          deadline: far(),
        },
      );
      assert.deepEqual(out.batchItemFailures, []);
      const record = await getRecord(jobId);
      assert.equal(record?.state, 'REJECTED');
      assert.equal(record?.reasons?.[0]?.rule, 'kube.forbidden');
      assert.match(record?.message ?? '', /refused by the cluster policy/);
    } finally {
      await admission.deleteValidatingAdmissionPolicyBinding({ name }).catch(() => {});
      await admission.deleteValidatingAdmissionPolicy({ name }).catch(() => {});
    }
  });

  it('422 from apiserver validation: a terminal REJECTED record with the API message', async () => {
    const jobId = uid('invalid');
    const deps = realDeps({ images: { allowedRegistries: ['public.ecr.aws'] }, principals });
    // passes our schema; the apiserver checks that the container name exists
    const bad = request(jobId, {
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'sidecar', operator: 'In', values: [1] } },
        ],
      },
    });
    const out = await runBatch(deps, [sqsRecord(bad)], { concurrency: 1, deadline: far() });
    assert.deepEqual(out.batchItemFailures, []);
    const record = await getRecord(jobId);
    assert.equal(record?.state, 'REJECTED');
    assert.equal(record?.reasons?.[0]?.rule, 'kube.invalid');
    assert.match(record?.message ?? '', /containerName/);
  });

  it('an unreachable apiserver is transient: bounded retry, then a batch item failure, the record kept for the redelivery', async () => {
    const jobId = uid('unreachable');
    const deps = realDeps({ images: { allowedRegistries: ['public.ecr.aws'] }, principals });
    const { KubeConfig } = await import('@kubernetes/client-node');
    const { KubeClient } = await import('../../../shared/adapters/kubernetes/client.ts');
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u', token: 'x' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const out = await runBatch(
      { ...deps, kube: new KubeClient(kc, { requestTimeoutMs: 500 }) },
      [sqsRecord(request(jobId))],
      {
        concurrency: 1,
        deadline: far(),
      },
    );
    assert.equal(out.batchItemFailures.length, 1);
    assert.equal((await getRecord(jobId))?.state, 'SUBMITTED');
    // the redelivery, with the apiserver reachable, creates the Job
    const again = await runBatch(deps, [sqsRecord(request(jobId))], { concurrency: 1, deadline: far() });
    assert.deepEqual(again.batchItemFailures, []);
    assert.equal((await jobsFor(jobId)).length, 1);
  });
});
