import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ANNOTATIONS, LABELS, MANAGER } from '../../../../shared/core/job/labels.ts';
import { jobName, labelValue } from '../../../../shared/core/job/name.ts';
import { renderJob } from '../../../../shared/core/submit/manifest.ts';
import { parseBody } from '../../../../shared/core/submit/parse-request.ts';
import { type Policy, parsePolicy } from '../../../../shared/core/submit/policy.ts';
import { canonicalJson, requestHash } from '../../../../shared/core/submit/request-hash.ts';
import { resolve } from '../../../../shared/core/submit/resolve.ts';
import { TEST_POLICY_INPUT, testPolicy } from '../../functions/submit/fakes.ts';

function render(extra: Record<string, unknown> = {}, policy: Policy = testPolicy()) {
  const parsed = parseBody(
    JSON.stringify({ jobId: 'Job_1', owner: 'alice@example.com', image: 'busybox:1.36', ...extra }),
    'm-1',
  );
  if (parsed.kind !== 'submit') throw new Error(JSON.stringify(parsed));
  const { spec, reasons } = resolve(parsed.request, policy);
  assert.deepEqual(reasons, []);
  return renderJob({
    jobId: parsed.jobId,
    jobName: jobName(parsed.jobId),
    owner: parsed.request.owner,
    request: parsed.request,
    spec,
    policy,
    requestHash: parsed.hash,
    submittedAt: '2026-01-01T00:00:00Z',
    sourceMessageId: 'm-1',
  });
}

describe('manifest', () => {
  it('meets Pod Security restricted by default', () => {
    const pod = render().spec?.template.spec;
    const c = pod?.containers[0];
    assert.equal(pod?.restartPolicy, 'Never');
    assert.equal(pod?.automountServiceAccountToken, false);
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    assert.equal(pod?.securityContext?.runAsUser, 65532);
    assert.deepEqual(pod?.securityContext?.seccompProfile, { type: 'RuntimeDefault' });
    assert.equal(c?.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(c?.securityContext?.capabilities, { drop: ['ALL'] });
    assert.equal(c?.securityContext?.readOnlyRootFilesystem, true);
    assert.deepEqual(c?.volumeMounts?.[0], { name: 'tmp', mountPath: '/tmp' });
    assert.deepEqual(pod?.volumes?.[0], { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } });
  });

  it('carries our labels and annotations and maps the request fields', () => {
    const job = render({
      timeoutSeconds: 60,
      retries: 2,
      ttlSecondsAfterFinished: 120,
      labels: { team: 'a' },
      podAnnotations: { 'outcome.local/duration': '2s' },
      env: [
        { name: 'A', value: '1' },
        { name: 'B', secretRef: { name: 'db-credentials', key: 'password' } },
      ],
      resources: { cpu: '500m', memory: '1Gi', gpu: 1 },
      podFailurePolicy: {
        rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42, 3, 42] } }],
      },
    });
    assert.equal(job.metadata?.name, jobName('Job_1'));
    assert.equal(job.metadata?.labels?.[LABELS.managedBy], MANAGER);
    assert.equal(job.metadata?.labels?.[LABELS.jobKey], job.metadata?.name);
    assert.equal(job.metadata?.labels?.[LABELS.owner], 'alice_example.com');
    assert.equal(job.metadata?.labels?.team, 'a');
    assert.equal(job.metadata?.annotations?.[ANNOTATIONS.jobId], 'Job_1');
    assert.equal(job.metadata?.annotations?.[ANNOTATIONS.owner], 'alice@example.com');
    assert.match(job.metadata?.annotations?.[ANNOTATIONS.requestHash] ?? '', /^[0-9a-f]{32}$/);
    assert.equal(job.spec?.activeDeadlineSeconds, 60);
    assert.equal(job.spec?.backoffLimit, 2);
    assert.equal(job.spec?.ttlSecondsAfterFinished, 120);
    assert.deepEqual(job.spec?.podFailurePolicy?.rules[0]?.onExitCodes?.values, [3, 42]);
    assert.equal(job.spec?.template.metadata?.annotations?.['outcome.local/duration'], '2s');
    const c = job.spec?.template.spec?.containers[0];
    assert.deepEqual(c?.env, [
      { name: 'A', value: '1' },
      { name: 'B', valueFrom: { secretKeyRef: { name: 'db-credentials', key: 'password' } } },
    ]);
    assert.deepEqual(c?.resources?.limits, {
      cpu: '500m',
      memory: '1Gi',
      'ephemeral-storage': '1Gi',
      'nvidia.com/gpu': '1',
    });
    assert.deepEqual(c?.resources?.requests, c?.resources?.limits);
  });

  it('renders Indexed jobs with per-index backoff and no global backoffLimit', () => {
    const job = render({
      completionMode: 'Indexed',
      completions: 4,
      parallelism: 2,
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 1,
    });
    assert.equal(job.spec?.completionMode, 'Indexed');
    assert.equal(job.spec?.backoffLimitPerIndex, 1);
    assert.equal(job.spec?.backoffLimit, undefined);
  });

  it('mounts the token only for an allowed account that asks for it', () => {
    const pod = render({ serviceAccountName: 'reader', automountServiceAccountToken: true }).spec?.template
      .spec;
    assert.equal(pod?.serviceAccountName, 'reader');
    assert.equal(pod?.automountServiceAccountToken, true);
  });

  it('overlays the request on the base template; the runner fields win over both', () => {
    const policy = parsePolicy(
      {
        ...TEST_POLICY_INPUT,
        template: {
          metadata: { labels: { platform: 'batch', team: 'template' }, name: 'ignored' },
          spec: {
            template: {
              spec: {
                hostNetwork: false,
                restartPolicy: 'OnFailure',
                securityContext: { runAsUser: 1000, runAsNonRoot: false },
                nodeSelector: { pool: 'general' },
                volumes: [{ name: 'data', configMap: { name: 'settings' } }],
                containers: [
                  {
                    name: 'main',
                    image: 'public.ecr.aws/base:1',
                    env: [
                      { name: 'A', value: 'template' },
                      { name: 'T', value: 'template' },
                    ],
                    volumeMounts: [{ name: 'data', mountPath: '/data' }],
                    securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } },
                  },
                ],
              },
            },
          },
        },
      },
      ['jobs'],
    );
    const job = render(
      { labels: { team: 'request' }, nodeSelector: { pool: 'gpu' }, env: [{ name: 'A', value: 'request' }] },
      policy,
    );
    const pod = job.spec?.template.spec;
    const c = pod?.containers[0];
    assert.equal(job.metadata?.name, jobName('Job_1'));
    assert.deepEqual(job.metadata?.labels?.platform, 'batch');
    assert.equal(job.metadata?.labels?.team, 'request');
    assert.equal(pod?.restartPolicy, 'Never');
    assert.equal(pod?.securityContext?.runAsUser, 1000);
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    assert.deepEqual(pod?.nodeSelector, { pool: 'gpu' });
    assert.equal(c?.name, 'main');
    assert.equal(c?.image, 'busybox:1.36');
    assert.deepEqual(c?.env, [
      { name: 'T', value: 'template' },
      { name: 'A', value: 'request' },
    ]);
    assert.equal(c?.securityContext?.privileged, false);
    assert.deepEqual(c?.securityContext?.capabilities, { drop: ['ALL'] });
    assert.deepEqual(
      pod?.volumes?.map((v) => v.name),
      ['tmp', 'data'],
    );
    assert.deepEqual(
      c?.volumeMounts?.map((m) => m.mountPath),
      ['/tmp', '/data'],
    );
  });
});

describe('job name', () => {
  it('is a DNS-1123 label of at most 52 characters, deterministic', () => {
    for (const id of [
      'a',
      'Job_1',
      'x'.repeat(200),
      '..--..',
      'arn:aws:scheduler:eu-west-1:1:schedule/x/2026-01-01T00:00:00Z',
    ]) {
      const name = jobName(id);
      assert.match(name, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, name);
      assert.ok(name.length <= 52, name);
      assert.equal(jobName(id), name);
    }
  });

  it('never gives two ids that sanitise alike the same name', () => {
    const ids = ['a_b', 'a-b', 'A-B', 'a.b', 'a:b', 'a/b'];
    assert.equal(new Set(ids.map(jobName)).size, ids.length);
    assert.ok(jobName('a_b').startsWith('a-b-'));
  });

  it('makes label values of owners', () => {
    assert.equal(labelValue('arn:aws:iam::1:role/x'), 'arn_aws_iam_1_role_x');
    assert.equal(labelValue('@@x@@'), 'x');
  });
});

describe('request hash', () => {
  it('ignores key order and undefined members, and sees every value', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: undefined } }),
      '{"a":{"d":[1,{"x":2,"y":1}]},"b":1}',
    );
    assert.equal(requestHash({ a: 1, b: 2 }), requestHash({ b: 2, a: 1 }));
    assert.notEqual(requestHash({ a: 1 }), requestHash({ a: 2 }));
  });

  it('is the same for a body with and without the contract defaults', () => {
    const a = parseBody(JSON.stringify({ jobId: 'j', owner: 'o', image: 'busybox' }), 'm');
    const b = parseBody(
      JSON.stringify({ image: 'busybox', action: 'submit', version: 1, owner: 'o', jobId: 'j' }),
      'other',
    );
    assert.equal(a.kind === 'submit' && a.hash, b.kind === 'submit' && b.hash);
  });
});
