import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBody } from '../../../../shared/core/submit/parse-request.ts';
import { parsePolicy } from '../../../../shared/core/submit/policy.ts';
import type { SubmitRequest } from '../../../../shared/core/submit/request-schema.ts';
import { resolve } from '../../../../shared/core/submit/resolve.ts';
import { imageAllowed } from '../../../../shared/core/submit/resolve-access.ts';
import { TEST_POLICY_INPUT, testPolicy } from '../../functions/submit/fakes.ts';

function req(extra: Record<string, unknown> = {}): SubmitRequest {
  const parsed = parseBody(
    JSON.stringify({ jobId: 'j', owner: 'alice', image: 'busybox:1.36', ...extra }),
    'm',
  );
  if (parsed.kind !== 'submit') throw new Error(`invalid test request: ${JSON.stringify(parsed)}`);
  return parsed.request;
}
const rules = (extra: Record<string, unknown>, policy = testPolicy()) =>
  resolve(req(extra), policy).reasons.map((r) => `${r.path} ${r.rule}`);

describe('operator policy', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      'a namespace outside the allow-list',
      { namespace: 'default' },
      'namespace policy.namespace_not_allowed',
    ],
    ['an image from another registry', { image: 'quay.io/team/tool:1' }, 'image policy.image_not_allowed'],
    ['a prefix that only matches mid-name', { image: 'busyboxer:1' }, 'image policy.image_not_allowed'],
    [
      'a secret outside the allow-list',
      { env: [{ name: 'X', secretRef: { name: 'root-keys', key: 'k' } }] },
      'env[0].secretRef.name policy.secret_not_allowed',
    ],
    [
      'a service account outside the allow-list',
      { serviceAccountName: 'admin' },
      'serviceAccountName policy.service_account_not_allowed',
    ],
    [
      'a token for an account that may not mount it',
      { serviceAccountName: 'plain', automountServiceAccountToken: true },
      'automountServiceAccountToken policy.token_not_allowed',
    ],
    [
      'a priority class outside the allow-list',
      { priorityClassName: 'system-node-critical' },
      'priorityClassName policy.priority_class_not_allowed',
    ],
    [
      'a PVC outside the allow-list',
      { volumes: [{ name: 'd', mountPath: '/d', persistentVolumeClaim: { claimName: 'other' } }] },
      'volumes[0].persistentVolumeClaim.claimName policy.pvc_not_allowed',
    ],
    [
      'a ConfigMap outside the allow-list',
      { volumes: [{ name: 'd', mountPath: '/d', configMap: { name: 'other' } }] },
      'volumes[0].configMap.name policy.config_map_not_allowed',
    ],
    [
      'a toleration key outside the allow-list',
      { tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
      'tolerations[0].key policy.toleration_not_allowed',
    ],
    [
      'a node selector key outside the allow-list',
      { nodeSelector: { zone: 'a' } },
      'nodeSelector.zone policy.node_selector_not_allowed',
    ],
    [
      'a pod label key outside the allow-list',
      { podLabels: { 'app.kubernetes.io/component': 'worker', team: 'x' } },
      'podLabels.team policy.pod_label_key',
    ],
    [
      'a toleration without a key (it tolerates every taint)',
      { tolerations: [{ operator: 'Exists' }] },
      'tolerations[0].key policy.toleration_not_allowed',
    ],
    ['cpu above the cap', { resources: { cpu: '2500m' } }, 'resources.cpu policy.resource_cap'],
    ['memory above the cap', { resources: { memory: '5Gi' } }, 'resources.memory policy.resource_cap'],
    [
      'ephemeral storage above the cap',
      { resources: { ephemeralStorage: '11Gi' } },
      'resources.ephemeralStorage policy.resource_cap',
    ],
    ['GPUs above the cap', { resources: { gpu: 2 } }, 'resources.gpu policy.resource_cap'],
    ['a zero quantity', { resources: { memory: '0' } }, 'resources.memory policy.resource_zero'],
    ['a timeout above the cap', { timeoutSeconds: 200_000 }, 'timeoutSeconds policy.timeout_cap'],
    ['retries above the cap', { retries: 11 }, 'retries policy.retries_cap'],
    ['parallelism above the cap', { parallelism: 101 }, 'parallelism policy.parallelism_cap'],
    ['completions above the cap', { completions: 1001 }, 'completions policy.completions_cap'],
    ['a TTL below the minimum', { ttlSecondsAfterFinished: 0 }, 'ttlSecondsAfterFinished policy.ttl_range'],
  ];
  for (const [what, extra, expected] of cases) {
    it(`refuses ${what}`, () => assert.deepEqual(rules(extra), [expected]));
  }

  it('accepts what the allow-lists name', () => {
    assert.deepEqual(
      rules({
        image: 'public.ecr.aws/docker/library/python:3.13',
        namespace: 'jobs-extra',
        env: [{ name: 'X', secretRef: { name: 'db-credentials', key: 'password' } }],
        serviceAccountName: 'reader',
        automountServiceAccountToken: true,
        priorityClassName: 'batch-high',
        volumes: [{ name: 'd', mountPath: '/d', persistentVolumeClaim: { claimName: 'shared-data' } }],
        tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
        nodeSelector: { pool: 'gpu' },
        podLabels: { 'app.kubernetes.io/component': 'worker' },
        resources: { cpu: '2', memory: '4Gi', gpu: 1 },
      }),
      [],
    );
  });

  it('allows no toleration, node selector or pod label key by default', () => {
    const policy = parsePolicy({ images: { allowedRegistries: ['docker.io'] } }, ['jobs']);
    assert.deepEqual(
      rules(
        {
          tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists' }],
          nodeSelector: { pool: 'gpu' },
          podLabels: { app: 'x' },
        },
        policy,
      ),
      [
        'tolerations[0].key policy.toleration_not_allowed',
        'nodeSelector.pool policy.node_selector_not_allowed',
        'podLabels.app policy.pod_label_key',
      ],
    );
    assert.deepEqual(rules({}, policy), []);
  });

  it('matches image prefixes at a boundary, against the written and the full reference', () => {
    const policy = testPolicy();
    assert.equal(imageAllowed('busybox', policy), true);
    assert.equal(imageAllowed('docker.io/library/busybox@sha256:'.padEnd(97, 'a'), policy), true);
    assert.equal(imageAllowed('library/busybox:1', policy), true);
    assert.equal(imageAllowed('busybox-evil:1', policy), false);
    assert.equal(imageAllowed('public.ecr.aws.evil.com/x', policy), false);
  });

  it('allows no image at all by default (fail closed)', () => {
    assert.deepEqual(rules({}, parsePolicy({}, ['jobs'])), ['image policy.image_not_allowed']);
  });

  it('precedence: request > template > policy defaults', () => {
    const policy = parsePolicy(
      {
        ...TEST_POLICY_INPUT,
        limits: { defaultTimeoutSeconds: 100, defaultRetries: 1 },
        template: {
          spec: {
            activeDeadlineSeconds: 200,
            template: {
              spec: { containers: [{ image: 'public.ecr.aws/base:1', resources: { limits: { cpu: '1' } } }] },
            },
          },
        },
      },
      ['jobs'],
    );
    const fromTemplate = resolve(req({ image: undefined }), policy).spec;
    assert.equal(fromTemplate.image, 'public.ecr.aws/base:1');
    assert.equal(fromTemplate.timeoutSeconds, 200);
    assert.equal(fromTemplate.retries, 1, 'policy default when neither gives it');
    assert.equal(fromTemplate.resources.cpu, '1');
    assert.equal(fromTemplate.resources.memory, '256Mi');
    const fromRequest = resolve(req({ timeoutSeconds: 50, resources: { cpu: '500m' } }), policy).spec;
    assert.equal(fromRequest.image, 'busybox:1.36');
    assert.equal(fromRequest.timeoutSeconds, 50);
    assert.equal(fromRequest.resources.cpu, '500m');
  });

  it('the namespaces are the policy list within JOBS_NAMESPACES, the first the default', () => {
    assert.deepEqual(
      parsePolicy({ namespaces: ['jobs-extra', 'other'] }, ['jobs', 'jobs-extra']).allowedNamespaces,
      ['jobs-extra'],
    );
    assert.equal(parsePolicy({}, ['jobs', 'jobs-extra']).defaultNamespace, 'jobs');
    assert.throws(() => parsePolicy({ namespaces: ['other'] }, ['jobs']), /no namespace/);
  });

  it('a bad policy fails loudly with every problem', () => {
    assert.throws(
      () => parsePolicy({ images: { allowedRegistries: 'x' }, colour: 1 }, ['jobs']),
      /images.allowedRegistries.*colour|colour.*images/,
    );
    assert.throws(
      () => parsePolicy({ resources: { defaults: { cpu: '8' }, max: { cpu: '1' } } }, ['jobs']),
      /above its cap/,
    );
    assert.throws(
      () => parsePolicy({ template: { spec: { template: { spec: { containers: [{}, {}] } } } } }, ['jobs']),
      /one container/,
    );
  });
});

describe('record retention', () => {
  it('refuses a retention shorter than the queue and DLQ keep a message, or than a Job lives', () => {
    assert.throws(
      () => parsePolicy({ recordRetentionSeconds: 7 * 86400 }, ['jobs']),
      /recordRetentionSeconds: must be at least 1555200 \(the queue's and the DLQ's retention\)/,
    );
    assert.throws(
      () =>
        parsePolicy(
          { recordRetentionSeconds: 20 * 86400, limits: { maxTtlSecondsAfterFinished: 25 * 86400 } },
          ['jobs'],
        ),
      /must outlive its Job/,
    );
    assert.equal(parsePolicy({}, ['jobs']).recordRetentionSeconds, 30 * 86400);
  });
});
