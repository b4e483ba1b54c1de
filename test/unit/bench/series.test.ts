// Completion times into a rate over time; samples and bars into chart rows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bars, ratePoints, samples } from '../../../test/bench/report/index.ts';

describe('ratePoints', () => {
  it('counts completions per second, at each bucket end', () => {
    const at = [1100, 1200, 1300, 2500, 2600, 3000];
    assert.deepEqual(ratePoints('s', at, 1000), [
      { series: 's', seconds: 1, perSecond: 3 },
      { series: 's', seconds: 2, perSecond: 3 },
    ]);
  });

  it('rates a last, partial bucket over its own length', () => {
    assert.deepEqual(ratePoints('s', [500, 1200, 1400, 1600], 0), [
      { series: 's', seconds: 1, perSecond: 1 },
      { series: 's', seconds: 1.6, perSecond: 5 },
    ]);
  });

  it('folds a last bucket shorter than half a bucket into the one before', () => {
    assert.deepEqual(ratePoints('s', [200, 400, 600, 1100], 0), [
      { series: 's', seconds: 1.1, perSecond: 4 / 1.1 },
    ]);
  });

  it('has no points without completions, and one for completions at the start', () => {
    assert.deepEqual(ratePoints('s', [], 0), []);
    assert.deepEqual(ratePoints('s', [0, 0], 0), [{ series: 's', seconds: 0.001, perSecond: 2000 }]);
  });

  it('takes a bucket length', () => {
    const points = ratePoints('s', [1000, 2000, 9000, 10_000], 0, 5000);
    assert.deepEqual(points, [
      { series: 's', seconds: 5, perSecond: 0.4 },
      { series: 's', seconds: 10, perSecond: 0.4 },
    ]);
  });
});

describe('rows', () => {
  it('samples and bars keep their series, groups and order', () => {
    assert.deepEqual(samples('a', [1, 2]), [
      { series: 'a', value: 1 },
      { series: 'a', value: 2 },
    ]);
    assert.deepEqual(samples('a', [1], 'g'), [{ series: 'a', value: 1, group: 'g' }]);
    assert.deepEqual(bars('m', { baseline: 2, ours: 1 }), [
      { metric: 'm', series: 'baseline', value: 2 },
      { metric: 'm', series: 'ours', value: 1 },
    ]);
  });
});
