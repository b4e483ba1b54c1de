// The cold-init benchmark's figures (test/bench/cold-init.ts) and the charts drawn from them.
import { bars, type Chart, samples } from '../report/index.ts';

export type Variant = 'baseline' | 'current';
export interface ColdInitRun {
  initMs: number;
  processMs: number;
}

/** One tree's figures for one function: bundle sizes, medians and every run. */
export interface VariantFigures {
  bytes: number;
  mapBytes: number;
  initMs: number;
  processMs: number;
  runs: ColdInitRun[];
}

export interface FunctionFigures {
  name: string;
  baseline: VariantFigures;
  current: VariantFigures;
  initRatio: number;
  processRatio: number;
}

export interface ColdInitFigures {
  baseline: { ref: string; commit: string };
  current: string;
  n: number;
  node: string;
  results: FunctionFigures[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

/** One tree's figures for one function from its runs and its bundle's sizes. */
export function variantFigures(
  size: { bytes: number; mapBytes: number },
  runs: ColdInitRun[],
): VariantFigures {
  return {
    ...size,
    initMs: median(runs.map((r) => r.initMs)),
    processMs: median(runs.map((r) => r.processMs)),
    runs,
  };
}

export function functionFigures(
  name: string,
  baseline: VariantFigures,
  current: VariantFigures,
): FunctionFigures {
  return {
    name,
    baseline,
    current,
    initRatio: current.initMs / baseline.initMs,
    processRatio: current.processMs / baseline.processMs,
  };
}

/** The series' names: the baseline's commit and ours (this tree, at HEAD plus what is not committed). */
export function seriesNames(f: Pick<ColdInitFigures, 'baseline' | 'current'>): Record<Variant, string> {
  return { baseline: `baseline ${f.baseline.commit}`, current: `ours ${f.current}` };
}

/** The distributions of init and whole-process time per function, and the medians and sizes as bars. */
export function coldInitCharts(f: ColdInitFigures): Chart[] {
  const names = seriesNames(f);
  const distribution = (figure: keyof ColdInitRun, title: string): Chart => ({
    id: `${figure === 'initMs' ? 'init' : 'process'}-latency`,
    kind: 'latency',
    title,
    unit: 'ms',
    baseline: names.baseline,
    samples: f.results.flatMap((r) => [
      ...samples(
        names.baseline,
        r.baseline.runs.map((run) => run[figure]),
        r.name,
      ),
      ...samples(
        names.current,
        r.current.runs.map((run) => run[figure]),
        r.name,
      ),
    ]),
  });
  const kib = (bytes: number) => Math.round(bytes / 1024);
  return [
    distribution('initMs', `Cold init: import of the bundle, ${f.n} runs each`),
    distribution('processMs', `Cold init: the whole node process, ${f.n} runs each`),
    {
      id: 'medians',
      kind: 'bars',
      title: `Cold init, median of ${f.n}, and bundle size: baseline ${f.baseline.commit} beside ours`,
      baseline: names.baseline,
      columns: 3,
      bars: f.results.flatMap((r) => [
        ...bars(`${r.name}: init ms`, {
          [names.baseline]: r.baseline.initMs,
          [names.current]: r.current.initMs,
        }),
        ...bars(`${r.name}: process ms`, {
          [names.baseline]: r.baseline.processMs,
          [names.current]: r.current.processMs,
        }),
        ...bars(`${r.name}: bundle KiB`, {
          [names.baseline]: kib(r.baseline.bytes),
          [names.current]: kib(r.current.bytes),
        }),
      ]),
    },
  ];
}
