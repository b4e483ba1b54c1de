import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from 'commander';
import { integerIn, jobState, secondsAtLeast } from '../../../cli/args.ts';

describe('option values', () => {
  it('integers in a range', () => {
    const limit = integerIn(1, 1000);
    assert.equal(limit('20'), 20);
    for (const bad of ['0', '1001', '2.5', '-1', 'ten', '', '1e3'])
      assert.throws(() => limit(bad), InvalidArgumentError, bad);
  });

  it('seconds, fractions allowed', () => {
    const seconds = secondsAtLeast(0.1);
    assert.equal(seconds('0.5'), 0.5);
    assert.equal(seconds('30'), 30);
    for (const bad of ['0', '-3', 'soon', '', 'Infinity'])
      assert.throws(() => seconds(bad), InvalidArgumentError, bad);
  });

  it('state names in any case', () => {
    assert.equal(jobState('failed'), 'FAILED');
    assert.equal(jobState('timed-out'), 'TIMED_OUT');
    assert.equal(jobState('RUNNING'), 'RUNNING');
    assert.throws(() => jobState('done'), /one of SUBMITTED, QUEUED, PENDING/);
  });
});
