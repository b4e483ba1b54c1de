// The reconcile benchmark's figures (test/bench/reconcile.ts) and the charts drawn from them. The
// baseline is the naive poller: one GET and one unconditional write per job per pass.
import { bars, type Chart, samples } from '../report/index.ts';

/** One N's figures, as the benchmark prints them, plus every latency sample behind the percentiles. */
export interface SizeResult {
  n: number;
  readyJobs: number;
  setupSeconds: number;
  resync: Record<string, number>;
  quiet: Record<string, number>;
  /**
   * The quiet resync at scale (test/bench/scale.ts): listPages, quietWallMs, readUnits (measured),
   * allProjectionUnits (the same scan with projection ALL), includeUnits (computed), memory in MB.
   */
  scale?: Record<string, number>;
  naive: Record<string, number>;
  latency: Record<string, number>;
  naiveLatency: Record<string, number>;
  /** ms from each latency job's pod termination to its terminal record: the reconciler's. */
  latencySamplesMs: number[];
  /** The same for the naive poller's jobs. */
  naiveLatencySamplesMs: number[];
}

export interface ReconcileFigures {
  config: { sizes: number[]; latencyJobs: number; latencySeconds: number; maxMinutes: number };
  results: SizeResult[];
}

export const SERIES = {
  naive: 'naive poller',
  resync: 'reconciler: first resync',
  quiet: 'reconciler: quiet resync',
  reconciler: 'reconciler (watch)',
  /** The same quiet scan, computed for the v1.2 indexes (projection ALL): the records read whole. */
  all: 'status index, projection ALL (v1.2)',
} as const;

const seconds = (ms: number | undefined) => (ms ?? Number.NaN) / 1000;

/** The status latency's distribution per N, and per N the cost of a pass and the latency as bars. */
export function reconcileCharts(f: ReconcileFigures): Chart[] {
  const group = (n: number) => `N=${n} running`;
  const scaled = f.results.filter((r) => r.scale);
  const scale: Chart[] =
    scaled.length === 0
      ? []
      : [
          {
            id: 'scale',
            kind: 'bars',
            title: 'DynamoDB read units of a quiet resync: projection ALL (v1.2) beside ours',
            baseline: SERIES.all,
            columns: Math.min(3, scaled.length),
            bars: scaled.flatMap((r) =>
              bars(`N=${r.n}: read units per quiet pass`, {
                [SERIES.all]: r.scale?.allProjectionUnits ?? Number.NaN,
                [SERIES.quiet]: r.scale?.readUnits ?? Number.NaN,
              }),
            ),
          },
        ];
  return [
    {
      id: 'latency',
      kind: 'latency',
      title: 'Status latency under load: pod terminated -> terminal record',
      unit: 'seconds',
      scale: 'log', // about a second beside a pass that grows with N: tens of seconds at 10,000
      baseline: SERIES.naive,
      samples: f.results.flatMap((r) => [
        ...samples(SERIES.naive, r.naiveLatencySamplesMs.map(seconds), group(r.n)),
        ...samples(SERIES.reconciler, r.latencySamplesMs.map(seconds), group(r.n)),
      ]),
    },
    {
      id: 'passes',
      kind: 'bars',
      title: 'Cost of a pass and status latency: the naive poller beside the reconciler',
      baseline: SERIES.naive,
      columns: 5,
      bars: f.results.flatMap((r) => [
        ...bars(`N=${r.n}: Kubernetes API calls`, {
          [SERIES.naive]: r.naive.gets ?? Number.NaN,
          [SERIES.resync]: r.resync.kubeCalls ?? Number.NaN,
          [SERIES.quiet]: r.quiet.kubeCalls ?? Number.NaN,
        }),
        ...bars(`N=${r.n}: DynamoDB writes`, {
          [SERIES.naive]: r.naive.writes ?? Number.NaN,
          [SERIES.resync]: r.resync.writes ?? Number.NaN,
          [SERIES.quiet]: r.quiet.writes ?? Number.NaN,
        }),
        ...bars(`N=${r.n}: wall s`, {
          [SERIES.naive]: seconds(r.naive.ms),
          [SERIES.resync]: seconds(r.resync.wallMs),
          [SERIES.quiet]: seconds(r.quiet.wallMs),
        }),
        ...bars(`N=${r.n}: latency p50 s`, {
          [SERIES.naive]: seconds(r.naiveLatency.p50Ms),
          [SERIES.reconciler]: seconds(r.latency.p50Ms),
        }),
        ...bars(`N=${r.n}: latency p95 s`, {
          [SERIES.naive]: seconds(r.naiveLatency.p95Ms),
          [SERIES.reconciler]: seconds(r.latency.p95Ms),
        }),
      ]),
    },
    ...scale,
  ];
}
