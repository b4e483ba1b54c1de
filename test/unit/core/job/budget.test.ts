import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitToBudget } from '../../../../shared/core/job/budget.ts';
import type { JobRecord } from '../../../../shared/core/job/record.ts';
import { largestResult } from '../../../support/records.ts';
import { record } from '../reconcile/fixtures.ts';

const jsonBytes = (r: JobRecord): number => Buffer.byteLength(JSON.stringify(r));

function bigRecord(): JobRecord {
  const r = record('FAILED', { jobId: 'big', request: { payload: 'r'.repeat(100_000) } });
  r.result = largestResult(1);
  return r;
}

describe('the record budget', () => {
  it('leaves a record within the budget as it is', () => {
    const r = record('RUNNING', { jobId: 'small' });
    assert.equal(fitToBudget(r, jsonBytes, 10_000), r);
  });

  it('cuts the least valuable parts first, just enough, and records what it cut', () => {
    const r = bigRecord();
    assert.ok(jsonBytes(r) > 300_000);
    const fitted = fitToBudget(r, jsonBytes, 200_000);
    assert.ok(jsonBytes(fitted) <= 200_000, `${jsonBytes(fitted)} bytes`);
    assert.deepEqual(fitted.trimmed, ['result.pods[].logTail to 1 KiB']);
    assert.equal(fitted.result?.pods[0]?.logTail?.length, 1024);
    assert.equal(fitted.result?.pods.length, 20, 'no pod dropped when less was enough');
    assert.equal(r.result?.pods[0]?.logTail?.length, 64 * 1024, 'the input is not changed');
  });

  it('never cuts the identity, state, exit codes or history states', () => {
    const fitted = fitToBudget(bigRecord(), jsonBytes, 8_000);
    assert.ok(jsonBytes(fitted) <= 8_000, `${jsonBytes(fitted)} bytes`);
    assert.equal(fitted.state, 'FAILED');
    assert.equal(fitted.request, undefined);
    assert.deepEqual(
      fitted.result?.pods.map((p) => p.exitCode),
      [1, 1, 1, 1, 1],
    );
    assert.ok(fitted.trimmed?.includes('request'));
    assert.ok(fitted.trimmed?.includes('result.pods after the first 5'));
  });
});
