import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import {
  isNetworkError,
  parseRetryAfter,
  toKubeFailure,
} from '../../../../shared/adapters/kubernetes/errors.ts';
import { classifyKube } from '../../../../shared/core/kube-failure.ts';
import { backoffDelay, withRetry } from '../../../../shared/runtime/retry.ts';

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

describe('bounded retry', () => {
  const retryable = () => true;
  it('stops after the attempts and throws the last error', async () => {
    let calls = 0;
    const slept: number[] = [];
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error(`fail ${calls}`);
        },
        {
          attempts: 3,
          baseDelayMs: 100,
          maxDelayMs: 1000,
          isRetryable: retryable,
          sleep: async (ms) => void slept.push(ms),
          random: () => 1,
        },
      ),
      /fail 3/,
    );
    assert.equal(calls, 3);
    assert.deepEqual(slept, [100, 200]);
  });

  it('waits at least Retry-After, and not past the deadline', async () => {
    const slept: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 2) throw new Error('busy');
        return 'ok';
      },
      {
        attempts: 3,
        baseDelayMs: 10,
        maxDelayMs: 20,
        isRetryable: retryable,
        retryAfterMs: () => 1500,
        sleep: async (ms) => void slept.push(ms),
      },
    );
    assert.equal(result, 'ok');
    assert.deepEqual(slept, [1500]);
    await assert.rejects(
      withRetry(
        async () => {
          throw new Error('busy');
        },
        {
          attempts: 3,
          baseDelayMs: 10,
          maxDelayMs: 20,
          isRetryable: retryable,
          retryAfterMs: () => 5000,
          deadline: 1000,
          now: () => 0,
          sleep: async () => assert.fail('slept'),
        },
      ),
      /busy/,
    );
  });

  it('does not retry what is not retryable', async () => {
    let calls = 0;
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw new Error('permanent');
        },
        { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, isRetryable: () => false },
      ),
    );
    assert.equal(calls, 1);
  });

  it('backs off exponentially with full jitter under a ceiling', () => {
    const opts = { baseDelayMs: 100, maxDelayMs: 1000, random: () => 1 };
    assert.deepEqual(
      [1, 2, 3, 4, 5].map((n) => backoffDelay(n, opts)),
      [100, 200, 400, 800, 1000],
    );
    assert.equal(backoffDelay(3, { ...opts, random: () => 0 }), 0);
  });
});

describe('apiserver warnings', () => {
  it('parses RFC 7234 warning headers', async () => {
    const { parseWarnings } = await import('../../../../shared/adapters/kubernetes/errors.ts');
    assert.deepEqual(
      parseWarnings('299 - "would violate PodSecurity \\"restricted:latest\\": hostPort", 299 - "other"'),
      ['would violate PodSecurity "restricted:latest": hostPort', 'other'],
    );
    assert.deepEqual(parseWarnings(undefined), []);
  });
});
