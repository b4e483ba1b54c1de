// The submit benchmark's figures into its charts and report, from sample stages (the benchmark
// itself needs the local stack; what it passes is checked here).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handlerStages as handlerStagesOf } from '../../../test/bench/figures/handler-stages.ts';
import {
  SERIES,
  type SubmitFigures,
  stageFigures,
  submitCharts,
  submitColdStartCharts,
} from '../../../test/bench/figures/submit.ts';
import { byId, rendersAll } from './render-all.ts';

describe('submit figures', () => {
  const stage = (count: number, everyMs: number, callMs?: number[]) =>
    stageFigures(
      1000,
      count * everyMs,
      Array.from({ length: count }, (_, i) => 1000 + (i + 1) * everyMs),
      callMs,
    );
  const path = stage(200, 100, [900.04, 1100, 1000]);
  const figures: SubmitFigures = {
    config: { n: 200, runtimeConcurrency: 4, batchSize: 10, inFlight: 40, pods: false },
    ceiling: stage(200, 9, [30, 35, 40, 45]),
    handler: stage(200, 15, [150, 160, 170]),
    path: { ...path, sendMs: 7000, invocations: 20, meanInvocationMs: 1000, jobsVerified: 200 },
    send: stage(200, 35),
    sqs: stage(200, 77),
    dynamodb: stage(200, 5),
    ratio: (200 * 9) / (200 * 100),
  };

  it('turns completion times into a stage: count, rate, times since its start', () => {
    assert.equal(figures.ceiling.items, 200);
    assert.equal(Math.round(figures.ceiling.perSecond), 111);
    assert.deepEqual(figures.ceiling.doneAtMs.slice(0, 3), [9, 18, 27]);
    assert.deepEqual(figures.path.callMs, [900, 1100, 1000]);
    assert.equal(figures.send.callMs, undefined);
  });

  it('charts the rate over time per stage, the time per call and the rates, ceiling first', async () => {
    const charts = byId(submitCharts(figures));
    assert.deepEqual(Object.keys(charts), ['throughput', 'latency', 'rates']);
    const throughput = charts.throughput;
    assert.ok(throughput?.kind === 'throughput');
    assert.equal(throughput.baseline, SERIES.ceiling);
    assert.deepEqual(new Set(throughput.points.map((p) => p.series)), new Set(Object.values(SERIES)));
    const path = throughput.points.filter((p) => p.series === SERIES.path);
    assert.equal(path.length, 20);
    assert.ok(
      path.slice(1, -1).every((p) => p.perSecond === 10),
      'a job every 100 ms: 10 a second',
    );
    assert.deepEqual(
      [path[0]?.perSecond, path.at(-1)?.perSecond],
      [9, 11],
      'the first at 100 ms, the last at 20 s',
    );
    const latency = charts.latency;
    assert.ok(latency?.kind === 'latency');
    assert.equal(latency.samples.filter((s) => s.series === SERIES.ceiling).length, 4);
    const rates = charts.rates;
    assert.ok(rates?.kind === 'bars');
    const share = rates.bars.filter((b) => b.metric === 'share of the ceiling (jobs/s)');
    assert.deepEqual(
      share.map((b) => [b.series, Math.round(b.value * 100) / 100]),
      [
        [SERIES.handler, 0.6],
        [SERIES.path, 0.09],
      ],
    );
    await rendersAll('submit', figures, submitCharts(figures));
  });

  it("charts the handler's stages when the run timed them", async () => {
    const handlerStages = handlerStagesOf(
      [{ start: 0, end: 100, records: 10 }],
      [
        { name: 'dynamodb TransactWriteItems', start: 0, end: 10, invocation: 0 },
        { name: 'kubernetes createJob', start: 10, end: 90, invocation: 0 },
        { name: 'dynamodb BatchGetItem', start: 90, end: 95, invocation: 0 },
      ],
      100,
    );
    const withStages = { ...figures, handlerStages };
    const charts = byId(submitCharts(withStages));
    assert.deepEqual(Object.keys(charts), ['throughput', 'latency', 'rates', 'stages']);
    const stages = charts.stages;
    assert.ok(stages?.kind === 'bars');
    assert.deepEqual(
      stages.bars.map((b) => [b.series, b.value]),
      [
        ['Job create', 80],
        ['record write', 10],
        ['cancel check', 5],
        ['other calls', 0],
        ['no call in flight', 5],
      ],
    );
    await rendersAll('submit-stages', withStages, submitCharts(withStages));
  });

  it('charts the --cold-start runs', async () => {
    const cold = {
      bundle: 'dist/functions/submit/index.mjs',
      bundleBytes: 976_896,
      node: 'v24',
      runs: [] as { importMs: number; firstInvokeMs: number }[],
    };
    for (const importMs of [100, 110, 105, 120, 98, 101, 103])
      cold.runs.push({ importMs, firstInvokeMs: 20 });
    const [chart] = submitColdStartCharts(cold);
    assert.ok(chart?.kind === 'latency');
    assert.deepEqual(
      new Set(chart.samples.map((s) => s.series)),
      new Set(['import', 'first invocation', 'total']),
    );
    await rendersAll('submit-cold-start', cold, submitColdStartCharts(cold));
  });
});
