import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import {
  isNetworkError,
  parseRetryAfter,
  parseWarnings,
  toKubeFailure,
} from '../../../../shared/adapters/kubernetes/errors.ts';
import { classifyKube } from '../../../../shared/core/kube-failure.ts';

describe('Kubernetes errors', () => {
  it('parses the raw text body of a client-node 2.x ApiException', () => {
    const body = JSON.stringify({
      kind: 'Status',
      status: 'Failure',
      reason: 'Forbidden',
      message: 'pods "x" is forbidden: violates PodSecurity "restricted:latest"',
      code: 403,
    });
    const failure = toKubeFailure(
      new ApiException(403, 'Unknown API Status Code!', body, { 'content-type': 'application/json' }),
    );
    assert.deepEqual(failure, {
      status: 403,
      reason: 'Forbidden',
      message: 'pods "x" is forbidden: violates PodSecurity "restricted:latest"',
      retryAfterSeconds: undefined,
    });
  });

  it('keeps a body that is no JSON as the message, and reads Retry-After', () => {
    const failure = toKubeFailure(
      new ApiException(429, 'x', 'Too many requests, please try again later.', { 'retry-after': '3' }),
    );
    assert.equal(failure.message, 'Too many requests, please try again later.');
    assert.equal(failure.retryAfterSeconds, 3);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('7', now), 7);
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now), 5);
    assert.equal(parseRetryAfter('soon', now), undefined);
  });

  it('classifies statuses', () => {
    const c = (status: number | undefined, reason?: string, message = '') =>
      classifyKube({ status, reason, message });
    assert.equal(c(undefined), 'transient');
    assert.equal(c(429), 'transient');
    assert.equal(c(500), 'transient');
    assert.equal(c(503), 'transient');
    assert.equal(c(401), 'transient');
    assert.equal(c(409, 'AlreadyExists'), 'already-exists');
    assert.equal(c(409, 'Conflict'), 'transient');
    assert.equal(c(404), 'not-found');
    assert.equal(c(403, 'Forbidden', 'violates PodSecurity'), 'permanent');
    assert.equal(c(403, 'Forbidden', 'exceeded quota: compute'), 'transient');
    assert.equal(
      c(
        403,
        'Forbidden',
        'jobs.batch is forbidden: User "eks-job-runner-functions" cannot create resource "jobs" in API group "batch" in the namespace "jobs"',
      ),
      'transient',
      'an RBAC denial is a deployment fault (or a cold apiserver cache), retried to the DLQ',
    );
    assert.equal(
      c(403, 'Forbidden', 'admission webhook "deny.example.com" denied the request: no'),
      'permanent',
    );
    assert.equal(c(422, 'Invalid'), 'permanent');
    assert.equal(c(400, 'BadRequest'), 'permanent');
  });

  it('tells network failures from bugs', () => {
    assert.equal(
      isNetworkError(Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } })),
      true,
    );
    assert.equal(isNetworkError(new DOMException('timed out', 'TimeoutError')), true);
    assert.equal(isNetworkError(new TypeError('x is not a function')), false);
  });
});

describe('apiserver warnings', () => {
  it('parses RFC 7234 warning headers', async () => {
    assert.deepEqual(
      parseWarnings('299 - "would violate PodSecurity \\"restricted:latest\\": hostPort", 299 - "other"'),
      ['would violate PodSecurity "restricted:latest": hostPort', 'other'],
    );
    assert.deepEqual(parseWarnings(undefined), []);
  });
});
