// The burst benchmark's figures (test/bench/burst.ts) and the charts drawn from them. The baseline
// is the reconciler without the handoff: a fixed 50 s window each minute, a fresh list each time.
import { bars, type Chart, samples } from '../report/index.ts';

/** A reconcile invocation, epoch ms: from its firing to its return. */
export interface Span {
  start: number;
  end: number;
}

export interface Finish {
  jobId: string;
  /** When the admin watch first saw the pod finished. */
  podFinishedAt: number;
  /** The terminal entry of the record's history. */
  recordedAt: number;
}

export interface ModeResult {
  mode: string;
  settings: Record<string, string>;
  jobs: number;
  messages: number;
  submitSeconds: number;
  invocations: Span[];
  finishes: Finish[];
  /** Jobs deleted out of band: from the delete's answer to the LOST entry of the record. */
  lost: Array<{ jobId: string; deletedAt: number; lostAt: number }>;
  /** Jobs the run gave up waiting for. */
  unfinished: number;
}

export interface BurstFigures {
  config: Record<string, number | string>;
  modes: ModeResult[];
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summary(values: readonly number[]): Summary {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : Number.NaN,
  };
}

/** Whether `at` falls outside every invocation: between two of them (or before the first). */
export function betweenInvocations(at: number, invocations: readonly Span[]): boolean {
  return !invocations.some((span) => at >= span.start && at <= span.end);
}

/** Latencies in seconds: all, and those of jobs whose pod finished between two invocations. */
export function latencies(result: ModeResult): { all: number[]; between: number[] } {
  const all: number[] = [];
  const between: number[] = [];
  for (const f of result.finishes) {
    const seconds = (f.recordedAt - f.podFinishedAt) / 1000;
    all.push(seconds);
    if (betweenInvocations(f.podFinishedAt, result.invocations)) between.push(seconds);
  }
  return { all, between };
}

export const lostSeconds = (result: ModeResult): number[] =>
  result.lost.map((l) => (l.lostAt - l.deletedAt) / 1000);

export function burstCharts(f: BurstFigures): Chart[] {
  const baseline = f.modes[0]?.mode;
  return [
    {
      id: 'latency',
      kind: 'latency',
      title: 'Status latency in a burst: pod finished -> terminal record',
      unit: 'seconds',
      baseline,
      samples: f.modes.flatMap((m) => samples(m.mode, latencies(m).all, 'every job')),
    },
    {
      id: 'figures',
      kind: 'bars',
      title: 'Status latency and LOST latency, baseline beside the handoff',
      baseline,
      columns: 4,
      bars: [
        ...bars(
          'latency p50 s',
          Object.fromEntries(f.modes.map((m) => [m.mode, summary(latencies(m).all).p50])),
        ),
        ...bars(
          'latency p95 s',
          Object.fromEntries(f.modes.map((m) => [m.mode, summary(latencies(m).all).p95])),
        ),
        ...bars(
          'between invocations p95 s',
          Object.fromEntries(f.modes.map((m) => [m.mode, summary(latencies(m).between).p95])),
        ),
        ...bars(
          'delete -> LOST max s',
          Object.fromEntries(f.modes.map((m) => [m.mode, summary(lostSeconds(m)).max])),
        ),
      ],
    },
  ];
}
