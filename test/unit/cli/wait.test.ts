import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type WaitOptions, waitForJob } from '../../../cli/wait.ts';
import type { JobRecord } from '../../../shared/core/job/record.ts';
import { record } from './fakes.ts';

/** A clock that moves only when slept on, and the reads answering in turn (the last one repeats). */
function harness(answers: (JobRecord | undefined)[], options: Partial<WaitOptions> = {}) {
  let now = 0;
  const sleeps: number[] = [];
  const polls: (string | undefined)[] = [];
  const read = async () => (answers.length > 1 ? answers.shift() : answers[0]);
  const wait = () =>
    waitForJob(read, {
      timeoutMs: Infinity,
      intervalMs: 2000,
      missingGraceMs: Infinity,
      now: () => now,
      sleep: async (ms) => {
        sleeps.push(ms);
        now += ms;
      },
      onPoll: (r) => polls.push(r?.state),
      ...options,
    });
  return { wait, sleeps, polls };
}

describe('waiting for a job', () => {
  it('polls until the record is terminal', async () => {
    const h = harness([undefined, record('a', 'PENDING'), record('a', 'RUNNING'), record('a', 'FAILED')]);
    const out = await h.wait();
    assert.equal(out.kind, 'done');
    assert.equal(out.kind === 'done' && out.record.state, 'FAILED');
    assert.deepEqual(h.polls, [undefined, 'PENDING', 'RUNNING', 'FAILED']);
    assert.deepEqual(h.sleeps, [2000, 2000, 2000]);
  });

  it('gives up at the timeout, never sleeping past it', async () => {
    const h = harness([record('a', 'RUNNING')], { timeoutMs: 5000 });
    const out = await h.wait();
    assert.equal(out.kind, 'timeout');
    assert.deepEqual(h.sleeps, [2000, 2000, 1000]);
  });

  it('says when no record appears within the grace', async () => {
    const h = harness([undefined], { missingGraceMs: 3000 });
    assert.deepEqual(await h.wait(), { kind: 'missing' });
    assert.deepEqual(h.sleeps, [2000, 1000]);
  });

  it('stops waiting for the record to appear once it has', async () => {
    const h = harness([undefined, record('a', 'RUNNING'), record('a', 'SUCCEEDED')], {
      missingGraceMs: 2000,
      intervalMs: 5000,
    });
    assert.equal((await h.wait()).kind, 'done');
    assert.deepEqual(h.sleeps, [2000, 5000]);
  });
});
