// What every chart shares: the colours (the baseline grey and first, ours in a fixed palette),
// the frame and font, and the rows' filters.
import type { Chart } from './chart.ts';

const GREY = '#8c8c8c';
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
export const finite = <T>(rows: T[], ...values: ((row: T) => number)[]) =>
  rows.filter((row) => values.every((value) => Number.isFinite(value(row))));
export const unique = (values: (string | undefined)[]) => [...new Set(values.filter((v) => v !== undefined))];

/** Baseline first and grey, then ours in the palette's order, in the order they appear. */
export function colour(chart: Chart, series: string[]) {
  const domain =
    chart.baseline && series.includes(chart.baseline)
      ? [chart.baseline, ...series.filter((s) => s !== chart.baseline)]
      : series;
  const offset = domain[0] === chart.baseline ? 1 : 0;
  const range = domain.map((s, i) =>
    s === chart.baseline ? GREY : (PALETTE[(i - offset) % PALETTE.length] as string),
  );
  return {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    sort: domain,
    scale: { domain, range },
    legend: { orient: 'bottom' as const, columns: Math.min(3, domain.length), labelLimit: 400 },
  };
}

export const COMMON = {
  background: 'white',
  padding: 16,
  config: {
    font: 'DejaVu Sans',
    title: { fontSize: 15, anchor: 'start' as const },
    view: { stroke: '#ddd' },
  },
};
