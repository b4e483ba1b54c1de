// Each chart kind renders from sample data to a well-formed PNG of the SVG's size, twice over.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  bars,
  type Chart,
  chartSpec,
  ratePoints,
  renderPng,
  renderSvg,
  samples,
} from '../../../test/bench/report/index.ts';
import { readPng } from './png.ts';

const spread = (count: number, from: number, step: number) =>
  Array.from({ length: count }, (_, i) => from + i * step);

const SAMPLE_CHARTS: Record<string, Chart> = {
  latency: {
    id: 'latency',
    kind: 'latency',
    title: 'Status latency',
    unit: 'ms',
    baseline: 'naive',
    samples: [...samples('naive', spread(20, 3000, 250)), ...samples('reconciler', spread(20, 1000, 20))],
  },
  'latency-panels': {
    id: 'latency-panels',
    kind: 'latency',
    title: 'Cold init',
    unit: 'ms',
    baseline: 'baseline',
    samples: ['submit', 'reconcile', 'publish'].flatMap((group) => [
      ...samples('baseline', spread(5, 280, 10), group),
      ...samples('ours', spread(5, 130, 5), group),
    ]),
  },
  throughput: {
    id: 'throughput',
    kind: 'throughput',
    title: 'Jobs created',
    unit: 'jobs per second',
    baseline: 'ceiling',
    points: [
      ...ratePoints('ceiling', spread(300, 0, 9), 0),
      ...ratePoints('submit path', spread(300, 0, 100), 0),
    ],
  },
  bars: {
    id: 'bars',
    kind: 'bars',
    title: 'Baseline beside ours',
    baseline: 'baseline',
    bars: [
      ...bars('init ms', { baseline: 284, ours: 137 }),
      ...bars('bundle KiB', { baseline: 2398, ours: 954 }),
    ],
  },
};

const svgSize = (svg: string) => {
  const m = /<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"/.exec(svg);
  assert.ok(m, 'the SVG has a width and a height');
  return { width: Number(m[1]), height: Number(m[2]) };
};

describe('bench charts', () => {
  for (const [name, chart] of Object.entries(SAMPLE_CHARTS)) {
    it(`renders a ${name} chart as a PNG of twice the SVG's size`, async () => {
      const spec = chartSpec(chart);
      const svg = await renderSvg(spec);
      const png = await renderPng(spec);
      const info = readPng(png);
      const size = svgSize(svg);
      assert.ok(png.length > 10_000, `${png.length} bytes: more than a blank image`);
      assert.equal(info.width, Math.round(size.width * 2));
      assert.equal(info.height, Math.round(size.height * 2));
      assert.ok(info.width >= 600 && info.height >= 300, `${info.width}x${info.height}`);
      assert.ok(svg.includes(chart.title), 'the title is drawn');
    });
  }

  it('draws every series, the baseline first and grey', async () => {
    const chart = SAMPLE_CHARTS.latency as Chart;
    const svg = await renderSvg(chartSpec(chart));
    assert.ok(svg.includes('>naive<') && svg.includes('>reconciler<'), 'both series in the legend');
    const spec = JSON.stringify(chartSpec(chart));
    assert.match(spec, /"domain":\["naive","reconciler"\],"range":\["#8c8c8c","#1f77b4"\]/);
  });

  it('puts the baseline first whatever the order of the rows', () => {
    const spec = JSON.stringify(
      chartSpec({
        id: 'b',
        kind: 'bars',
        title: 't',
        baseline: 'baseline',
        bars: bars('m', { ours: 1, baseline: 2 }),
      }),
    );
    assert.match(spec, /"domain":\["baseline","ours"\],"range":\["#8c8c8c","#1f77b4"\]/);
  });

  it('colours every series when the baseline named has no rows', () => {
    const spec = JSON.stringify(
      chartSpec({ id: 'b', kind: 'bars', title: 't', baseline: 'naive', bars: bars('m', { a: 1, b: 2 }) }),
    );
    assert.match(spec, /"domain":\["a","b"\],"range":\["#1f77b4","#ff7f0e"\]/);
  });

  it('leaves out values that are not finite (a percentile of no samples)', () => {
    const spec = chartSpec({
      id: 'b',
      kind: 'bars',
      title: 't',
      bars: [...bars('m', { a: 1, b: Number.NaN }), ...bars('n', { a: Number.POSITIVE_INFINITY })],
    }) as { data: { values: unknown[] } };
    assert.deepEqual(spec.data.values, [{ metric: 'm', series: 'a', value: 1 }]);
  });

  it('renders a chart with no rows at all (a benchmark that measured nothing)', async () => {
    const png = await renderPng(
      chartSpec({ id: 'x', kind: 'throughput', title: 'nothing', unit: '/s', points: [] }),
    );
    assert.ok(readPng(png).width > 0);
  });
});
