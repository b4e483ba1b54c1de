import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionStats } from '../../../shared/runtime/admission-pass.ts';
import { AdmissionTrigger } from '../../../shared/runtime/admission-trigger.ts';

const silent = { info() {}, warn() {}, error() {}, child: () => silent };
const stats = (queued: number): AdmissionStats => ({
  queued,
  admitted: 0,
  contended: 0,
  dependencyFailed: 0,
  reasonsWritten: 0,
  waits: [],
  byOwner: {},
  ms: 0,
});

/** A trigger whose passes read a queue of `depth.value` jobs, counted. */
function trigger(depth: { value: number }) {
  let passes = 0;
  const t = new AdmissionTrigger(async () => {
    passes++;
    return stats(depth.value);
  }, silent);
  return { t, passes: () => passes };
}

describe('AdmissionTrigger', () => {
  it('coalesces requests during a pass into one more pass', async () => {
    const { t, passes } = trigger({ value: 1 });
    t.request();
    t.request();
    t.request();
    await t.settle();
    assert.equal(passes(), 2);
  });

  it('skips the pass for an ended job once a pass has read the queue empty', async () => {
    const { t, passes } = trigger({ value: 0 });
    t.jobEnded();
    await t.settle();
    assert.equal(passes(), 1, 'the first look: nothing is known of the queue');
    t.jobEnded();
    t.jobEnded();
    await t.settle();
    assert.equal(passes(), 1, 'the queue was read empty: no one to admit');
  });

  it('looks again for ended jobs once a job is queued or seen queued', async () => {
    const depth = { value: 0 };
    const { t, passes } = trigger(depth);
    t.request();
    await t.settle();
    depth.value = 2;
    t.request(); // a queued Job seen
    await t.settle();
    t.jobEnded();
    await t.settle();
    assert.equal(passes(), 3, 'the queue holds jobs: an ended job may free their quota');
  });

  it('keeps looking when a request came during a pass that read the queue empty', async () => {
    let release: () => void = () => {};
    let passes = 0;
    const t = new AdmissionTrigger(async () => {
      passes++;
      if (passes === 1) await new Promise<void>((resolve) => (release = resolve));
      return stats(0);
    }, silent);
    t.request();
    await Promise.resolve();
    t.request(); // queued after the first pass's read
    release();
    await t.settle();
    assert.equal(passes, 2);
  });
});
