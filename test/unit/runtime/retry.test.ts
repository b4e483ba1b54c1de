import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, withRetry } from '../../../shared/runtime/retry.ts';

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
