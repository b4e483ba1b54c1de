// What a benchmark hands over for a chart: one of three kinds, with its rows.
//
// - latency: the distribution of one figure's samples, ours and the baseline's on one axis, one
//   panel per group;
// - throughput: a rate over time, a line per series;
// - bars: single figures, baseline beside ours, one panel per metric (each with its own scale).

/** One sample of a distribution: its series (e.g. "baseline", "ours") and its panel. */
export interface Sample {
  series: string;
  value: number;
  group?: string;
}

/** One point of a rate over time: seconds since the series' start, and the rate then. */
export interface RatePoint {
  series: string;
  seconds: number;
  perSecond: number;
}

/** One single figure: the metric (the panel) and whose it is. */
export interface Bar {
  metric: string;
  series: string;
  value: number;
}

interface ChartBase {
  /** The file is `<report name>-<id>.png`: lower case, digits and dashes. */
  id: string;
  title: string;
  /** The series that is the baseline: drawn in grey, first. */
  baseline?: string;
  /** Panels per row, where there are panels (groups, metrics). */
  columns?: number;
}

export type Chart =
  | (ChartBase & { kind: 'latency'; unit: string; samples: Sample[]; scale?: 'linear' | 'log' })
  | (ChartBase & { kind: 'throughput'; unit: string; points: RatePoint[] })
  | (ChartBase & { kind: 'bars'; bars: Bar[] });
