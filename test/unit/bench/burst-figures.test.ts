// The burst benchmark's arithmetic and charts, from sample figures (the benchmark needs the stack).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type BurstFigures,
  betweenInvocations,
  burstCharts,
  latencies,
  type ModeResult,
  summary,
} from '../../../test/bench/figures/burst.ts';
import { byId, rendersAll } from './render-all.ts';

const mode = (name: string, lags: number[]): ModeResult => ({
  mode: name,
  settings: {},
  jobs: lags.length,
  messages: lags.length,
  submitSeconds: 10,
  // Two invocations, 0-50 s and 60-110 s: a pod finishing at 55 s finished between them.
  invocations: [
    { start: 0, end: 50_000 },
    { start: 60_000, end: 110_000 },
  ],
  finishes: lags.map((lag, i) => ({ jobId: `j${i}`, podFinishedAt: i * 5000, recordedAt: i * 5000 + lag })),
  lost: [{ jobId: 'l', deletedAt: 1000, lostAt: 1400 }],
  unfinished: 0,
});

describe('burst figures', () => {
  it('tells the finishes between two invocations from the others', () => {
    const spans = mode('m', []).invocations;
    assert.equal(betweenInvocations(25_000, spans), false);
    assert.equal(betweenInvocations(55_000, spans), true);
    assert.equal(betweenInvocations(120_000, spans), true);
    const { all, between } = latencies(
      mode(
        'm',
        Array.from({ length: 14 }, (_, i) => (i === 11 ? 9000 : 1000)),
      ),
    );
    assert.equal(all.length, 14);
    assert.deepEqual(between, [9], 'the pod that finished at 55 s');
  });

  it('takes percentiles as the nearest rank', () => {
    const s = summary(Array.from({ length: 100 }, (_, i) => i + 1));
    assert.deepEqual([s.p50, s.p95, s.p99, s.max, s.n], [50, 95, 99, 100, 100]);
    assert.ok(Number.isNaN(summary([]).p95));
  });

  it('charts both modes, the baseline first', async () => {
    const figures: BurstFigures = {
      config: { jobs: 3 },
      modes: [mode('baseline', [1000, 9000, 12_000]), mode('handoff', [1000, 1200, 2000])],
    };
    const charts = byId(burstCharts(figures));
    assert.deepEqual(Object.keys(charts), ['latency', 'figures']);
    assert.ok(charts.latency?.kind === 'latency' && charts.latency.baseline === 'baseline');
    assert.ok(charts.figures?.kind === 'bars');
    assert.deepEqual(
      charts.figures.bars.filter((b) => b.metric === 'latency p95 s').map((b) => b.value),
      [12, 2],
    );
    await rendersAll('burst', figures, burstCharts(figures));
  });
});
