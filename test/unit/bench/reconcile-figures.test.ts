// The reconcile benchmark's figures into its charts and report, from sample sizes (the benchmark
// itself needs the local stack; what it passes is checked here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ReconcileFigures,
  reconcileCharts,
  type SizeResult,
} from '../../../test/bench/figures/reconcile.ts';
import { byId, rendersAll } from './render-all.ts';

describe('reconcile figures', () => {
  const size = (n: number, naiveMs: number): SizeResult => ({
    n,
    readyJobs: n,
    setupSeconds: 60,
    resync: { kubeCalls: Math.ceil(n / 500), writes: n, wallMs: n * 4, dynamoReads: 24 },
    quiet: { kubeCalls: Math.ceil(n / 500), writes: 0, wallMs: n * 1.6 },
    naive: { gets: n, writes: n, ms: n * 5.3 },
    latency: { jobs: 6, measured: 6, p50Ms: 1150, p95Ms: 1250 },
    naiveLatency: { jobs: 6, measured: 5, p50Ms: naiveMs, p95Ms: Number.NaN, passes: 7 },
    latencySamplesMs: [1100, 1150, 1150, 1200, 1250, 1100],
    naiveLatencySamplesMs: [naiveMs, naiveMs * 1.5, naiveMs * 0.5, naiveMs, naiveMs * 2],
  });
  const figures: ReconcileFigures = {
    config: { sizes: [1000, 10_000], latencyJobs: 6, latencySeconds: 40, maxMinutes: 25 },
    results: [size(1000, 4600), size(10_000, 75_000)],
  };

  it('charts the read units of a quiet pass at scale, projection ALL as the baseline, when measured', () => {
    const scaled: ReconcileFigures = {
      ...figures,
      results: [{ ...size(50_000, 1), scale: { readUnits: 60, allProjectionUnits: 2200, listPages: 100 } }],
    };
    const charts = byId(reconcileCharts(scaled));
    assert.deepEqual(Object.keys(charts), ['latency', 'passes', 'scale']);
    const chart = charts.scale;
    assert.ok(chart?.kind === 'bars');
    assert.equal(chart.baseline, 'status index, projection ALL (v1.2)');
    assert.deepEqual(
      chart.bars.map((b) => b.value),
      [2200, 60],
    );
  });

  it('charts the latency per N and the cost of a pass, the naive poller as the baseline', async () => {
    const charts = byId(reconcileCharts(figures));
    assert.deepEqual(Object.keys(charts), ['latency', 'passes']);
    const latency = charts.latency;
    assert.ok(latency?.kind === 'latency');
    assert.equal(latency.baseline, 'naive poller');
    assert.deepEqual(
      new Set(latency.samples.map((s) => s.group)),
      new Set(['N=1000 running', 'N=10000 running']),
    );
    assert.equal(latency.samples.find((s) => s.series === 'reconciler (watch)')?.value, 1.1);
    const passes = charts.passes;
    assert.ok(passes?.kind === 'bars');
    assert.deepEqual(
      passes.bars.filter((b) => b.metric === 'N=10000: Kubernetes API calls').map((b) => b.value),
      [10_000, 20, 20],
    );
    assert.ok(Number.isNaN(passes.bars.find((b) => b.metric === 'N=1000: latency p95 s')?.value));
    const report = await rendersAll('reconcile', figures, reconcileCharts(figures));
    const results = (report.figures as ReconcileFigures).results;
    assert.equal(results[0]?.naiveLatency.p95Ms, null, 'NaN is written as null');
    assert.deepEqual(results[1]?.latencySamplesMs, figures.results[1]?.latencySamplesMs);
  });
});
