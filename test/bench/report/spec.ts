// The three chart kinds as Vega-Lite specs: data in, spec out, nothing rendered here. The latency
// distribution is an empirical CDF (a step line per series, a point per sample): with a handful of
// runs it shows every one, and two series compare on one axis, which a histogram does not.
import type { TopLevelSpec } from 'vega-lite';
import type { Chart } from './chart.ts';
import { COMMON, colour, finite, unique } from './style.ts';

function latencySpec(chart: Extract<Chart, { kind: 'latency' }>): TopLevelSpec {
  const log = chart.scale === 'log';
  const values = finite(chart.samples, (s) => s.value)
    .filter((s) => !log || s.value > 0)
    .map((s) => ({ ...s, group: s.group ?? '' }));
  const groups = unique(values.map((s) => s.group));
  const single = groups.length <= 1;
  const inner = {
    width: single ? 480 : 260,
    height: single ? 260 : 200,
    transform: [
      {
        window: [{ op: 'cume_dist' as const, as: 'cdf' }],
        sort: [{ field: 'value' }],
        groupby: ['group', 'series'],
      },
    ],
    mark: {
      type: 'line' as const,
      interpolate: 'step-after' as const,
      point: values.length <= 400,
      strokeWidth: 2,
    },
    encoding: {
      x: {
        field: 'value',
        type: 'quantitative' as const,
        title: log ? `${chart.unit} (log scale)` : chart.unit,
        scale: log ? { type: 'log' as const } : { zero: false },
      },
      y: {
        field: 'cdf',
        type: 'quantitative' as const,
        title: 'share of runs at or below',
        axis: { format: '%' },
      },
      color: colour(chart, unique(values.map((s) => s.series))),
    },
  };
  const title = `${chart.title} (distribution, ${values.length} samples)`;
  if (single) return { ...COMMON, title, data: { values }, ...inner };
  return {
    ...COMMON,
    title,
    data: { values },
    facet: { field: 'group', type: 'nominal', title: null, sort: groups },
    columns: chart.columns ?? Math.min(3, groups.length),
    spec: inner,
    resolve: { scale: { x: 'independent' } },
  };
}

function throughputSpec(chart: Extract<Chart, { kind: 'throughput' }>): TopLevelSpec {
  const values = finite(
    chart.points,
    (p) => p.seconds,
    (p) => p.perSecond,
  );
  return {
    ...COMMON,
    title: `${chart.title} (over time)`,
    width: 560,
    height: 260,
    data: { values },
    mark: { type: 'line', point: values.length <= 60, strokeWidth: 2 },
    encoding: {
      x: { field: 'seconds', type: 'quantitative', title: 'seconds since the start' },
      y: { field: 'perSecond', type: 'quantitative', title: chart.unit },
      color: colour(chart, unique(values.map((p) => p.series))),
    },
  };
}

function barsSpec(chart: Extract<Chart, { kind: 'bars' }>): TopLevelSpec {
  const values = finite(chart.bars, (b) => b.value);
  const metrics = unique(values.map((b) => b.metric));
  const series = unique(values.map((b) => b.series));
  const color = colour(chart, series);
  return {
    ...COMMON,
    title: chart.title,
    data: { values },
    // headroom: an invisible mark 15% above each bar, so that its label stays in the panel
    transform: [{ calculate: 'datum.value * 1.15', as: 'headroom' }],
    facet: { field: 'metric', type: 'nominal', title: null, sort: metrics, header: { labelFontSize: 12 } },
    columns: chart.columns ?? Math.min(4, metrics.length),
    spec: {
      width: { step: 52 },
      height: 180,
      encoding: {
        x: {
          field: 'series',
          type: 'nominal',
          title: null,
          sort: color.sort,
          axis: { labelAngle: -30, labelLimit: 240 },
        },
      },
      layer: [
        {
          mark: { type: 'bar' },
          encoding: {
            y: { field: 'value', type: 'quantitative', title: null, axis: { labelFlush: true } },
            color: { ...color, legend: null },
          },
        },
        {
          mark: { type: 'text', dy: -7 },
          encoding: {
            y: { field: 'value', type: 'quantitative' },
            text: { field: 'value', type: 'quantitative', format: ',.4~r' },
          },
        },
        { mark: { type: 'point', opacity: 0 }, encoding: { y: { field: 'headroom', type: 'quantitative' } } },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  };
}

/** The Vega-Lite spec of a chart. */
export function chartSpec(chart: Chart): TopLevelSpec {
  if (chart.kind === 'latency') return latencySpec(chart);
  if (chart.kind === 'throughput') return throughputSpec(chart);
  return barsSpec(chart);
}
