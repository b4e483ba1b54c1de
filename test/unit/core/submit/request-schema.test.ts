import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBody } from '../../../../shared/core/submit/parse-request.ts';

const minimal = { jobId: 'j-1', owner: 'alice', image: 'busybox:1.36' };
function reasonsOf(extra: Record<string, unknown>, base: Record<string, unknown> = minimal) {
  const parsed = parseBody(JSON.stringify({ ...base, ...extra }), 'm-1');
  return parsed.kind === 'invalid' ? parsed.reasons.map((r) => `${r.path} ${r.rule}`) : [];
}

describe('request schema v1', () => {
  it('accepts a minimal submit and fills the contract defaults', () => {
    const parsed = parseBody(JSON.stringify(minimal), 'm-1');
    assert.equal(parsed.kind, 'submit');
    if (parsed.kind === 'submit') {
      assert.equal(parsed.request.action, 'submit');
      assert.equal(parsed.request.version, 1);
      assert.equal(parsed.jobId, 'j-1', "the body's jobId, not the message id");
    }
  });

  it('derives the jobId from the message id when absent', () => {
    const parsed = parseBody(JSON.stringify({ owner: 'alice', image: 'busybox' }), 'msg-42');
    assert.equal(parsed.kind === 'submit' && parsed.jobId, 'msg-42');
    assert.equal(parsed.kind === 'submit' && parsed.request.jobId, 'msg-42', 'the request carries it');
  });

  const cases: [string, Record<string, unknown>, string][] = [
    ['unknown fields', { colour: 'red' }, ' schema.unrecognized_keys'],
    ['an action other than submit/cancel', { action: 'delete' }, 'action schema.invalid_value'],
    ['a bad jobId', { jobId: '-x' }, 'jobId schema.invalid_format'],
    ['a missing owner', { owner: undefined }, 'owner schema.invalid_type'],
    ['a namespace that is no DNS label', { namespace: 'Jobs_1' }, 'namespace k8s.dns1123_label'],
    ['a malformed image', { image: 'UPPER/Case' }, 'image image.syntax'],
    ['a bad quantity', { resources: { cpu: 'lots' } }, 'resources.cpu k8s.quantity'],
    ['negative retries', { retries: -1 }, 'retries schema.too_small'],
    ['a zero timeout', { timeoutSeconds: 0 }, 'timeoutSeconds schema.too_small'],
    ['Indexed without completions', { completionMode: 'Indexed' }, 'completions request.indexed_completions'],
    [
      'backoffLimitPerIndex without Indexed',
      { backoffLimitPerIndex: 1 },
      'backoffLimitPerIndex request.per_index_requires_indexed',
    ],
    [
      'maxFailedIndexes without per-index backoff',
      { completionMode: 'Indexed', completions: 2, maxFailedIndexes: 1 },
      'maxFailedIndexes request.max_failed_requires_per_index',
    ],
    [
      'FailIndex without per-index backoff',
      {
        podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [1] } }] },
      },
      'podFailurePolicy.rules[0].action request.fail_index_requires_per_index',
    ],
    [
      'exit code 0 with In',
      {
        podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [0, 1] } }] },
      },
      'podFailurePolicy.rules[0].onExitCodes.values request.exit_code_zero',
    ],
    [
      'an unknown failure action',
      { podFailurePolicy: { rules: [{ action: 'Explode', onExitCodes: { operator: 'In', values: [1] } }] } },
      'podFailurePolicy.rules[0].action schema.invalid_value',
    ],
    [
      'our reserved label prefix',
      { labels: { 'eks-job-runner.io/job-key': 'x' } },
      'labels.eks-job-runner.io/job-key labels.reserved_prefix',
    ],
    [
      'a subdomain of our prefix',
      { podLabels: { 'a.eks-job-runner.io/x': 'x' } },
      'podLabels.a.eks-job-runner.io/x labels.reserved_prefix',
    ],
    [
      'the managed-by label',
      { labels: { 'app.kubernetes.io/managed-by': 'me' } },
      'labels.app.kubernetes.io/managed-by labels.reserved_prefix',
    ],
    [
      'a kubernetes.io annotation',
      { annotations: { 'batch.kubernetes.io/job-tracking': '' } },
      'annotations.batch.kubernetes.io/job-tracking labels.reserved_prefix',
    ],
    [
      'a label key that is no qualified name',
      { labels: { 'bad key': 'x' } },
      'labels.bad key k8s.qualified_name',
    ],
    ['a label value over 63', { labels: { a: 'x'.repeat(64) } }, 'labels.a k8s.label_value'],
    [
      'duplicate env names',
      {
        env: [
          { name: 'A', value: '1' },
          { name: 'A', value: '2' },
        ],
      },
      'env env.duplicate',
    ],
    [
      'a secret given by value',
      { env: [{ name: 'A', secretRef: { name: 's', key: 'k' }, value: 'x' }] },
      'env[0] schema.unrecognized_keys',
    ],
    [
      'a volume with two sources',
      { volumes: [{ name: 'v', mountPath: '/v', emptyDir: {}, configMap: { name: 'c' } }] },
      'volumes[0] volumes.one_source',
    ],
    [
      'a hostPath volume',
      { volumes: [{ name: 'v', mountPath: '/v', hostPath: { path: '/' } }] },
      'volumes[0] schema.unrecognized_keys',
    ],
    [
      'a mount over /tmp',
      { volumes: [{ name: 'v', mountPath: '/tmp', emptyDir: {} }] },
      'volumes[0].mountPath volumes.reserved_path',
    ],
    [
      'a token without a service account',
      { automountServiceAccountToken: true },
      'automountServiceAccountToken request.token_needs_service_account',
    ],
  ];
  for (const [what, extra, expected] of cases) {
    it(`refuses ${what} (${expected.split(' ').at(-1)})`, () => {
      const reasons = reasonsOf(extra);
      assert.ok(reasons.includes(expected), `${expected} not in ${JSON.stringify(reasons)}`);
    });
  }

  it('a cancel needs jobId and requestedBy', () => {
    const parsed = parseBody(JSON.stringify({ action: 'cancel' }), 'm-1');
    assert.equal(parsed.kind, 'invalid');
    assert.deepEqual(parsed.kind === 'invalid' && parsed.reasons.map((r) => r.path).sort(), [
      'jobId',
      'requestedBy',
    ]);
  });

  it('refuses a body that is no JSON object, or too large', () => {
    assert.deepEqual(reasonsOfRaw('[1]'), [' schema.invalid_type']);
    assert.deepEqual(reasonsOfRaw(JSON.stringify({ ...minimal, args: ['x'.repeat(200_000)] })), [
      ' request.too_large',
    ]);
  });
});

function reasonsOfRaw(raw: string) {
  const parsed = parseBody(raw, 'm-1');
  return parsed.kind === 'invalid' ? parsed.reasons.map((r) => `${r.path} ${r.rule}`) : [];
}
