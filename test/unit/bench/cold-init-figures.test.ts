// The cold-init benchmark's figures into its charts and report, from sample runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ColdInitFigures,
  coldInitCharts,
  functionFigures,
  variantFigures,
} from '../../../test/bench/figures/cold-init.ts';
import { byId, rendersAll } from './render-all.ts';

const runs = (init: number[]) => init.map((initMs) => ({ initMs, processMs: initMs + 150 }));

describe('cold-init figures', () => {
  const figures: ColdInitFigures = {
    baseline: { ref: '507a2bf', commit: '507a2bf' },
    current: 'abc1234',
    n: 3,
    node: 'v24.0.0',
    results: ['submit', 'reconcile'].map((name) =>
      functionFigures(
        name,
        variantFigures({ bytes: 2_400_000, mapBytes: 7_000_000 }, runs([300, 280, 290])),
        variantFigures({ bytes: 976_896, mapBytes: 1_400_000 }, runs([140, 130, 150])),
      ),
    ),
  };

  it('keeps the medians, the ratios and every run', () => {
    const submit = figures.results[0];
    assert.equal(submit?.baseline.initMs, 290);
    assert.equal(submit?.current.processMs, 290);
    assert.equal(submit?.initRatio, 140 / 290);
    assert.equal(submit?.current.runs.length, 3);
  });

  it('charts both distributions per function and the medians and sizes, baseline beside ours', async () => {
    const charts = byId(coldInitCharts(figures));
    assert.deepEqual(Object.keys(charts), ['init-latency', 'process-latency', 'medians']);
    const init = charts['init-latency'];
    assert.ok(init?.kind === 'latency');
    assert.equal(init.baseline, 'baseline 507a2bf');
    assert.equal(init.samples.length, 2 * 2 * 3);
    assert.deepEqual(
      init.samples.filter((s) => s.group === 'reconcile' && s.series === 'ours abc1234').map((s) => s.value),
      [140, 130, 150],
    );
    const medians = charts.medians;
    assert.ok(medians?.kind === 'bars');
    assert.deepEqual(
      medians.bars.filter((b) => b.metric === 'submit: bundle KiB').map((b) => [b.series, b.value]),
      [
        ['baseline 507a2bf', 2344],
        ['ours abc1234', 954],
      ],
    );
    const report = await rendersAll('cold-init', figures, coldInitCharts(figures));
    assert.deepEqual(report.figures, figures);
  });
});
