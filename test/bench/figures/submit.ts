// The submit benchmark's figures (test/bench/submit.ts) and the charts drawn from them. The
// baseline is the ceiling: a raw createNamespacedJob loop at the submit path's concurrency.
import { bars, type Chart, ratePoints, samples } from '../report/index.ts';
import type { HandlerStages } from './handler-stages.ts';

/** One stage run alone: N items, its wall time, when each item finished and, where timed, each call. */
export interface StageFigures {
  items: number;
  ms: number;
  perSecond: number;
  /** ms since the stage's start at which each item was done (for a batch, each of its items). */
  doneAtMs: number[];
  /** ms of each timed call (a create, an invocation), where the stage times them. */
  callMs?: number[];
}

export interface SubmitFigures {
  config: { n: number; runtimeConcurrency: number; batchSize: number; inFlight: number; pods: boolean };
  ceiling: StageFigures;
  handler: StageFigures;
  /** The handler-alone stage's invocations cut by what was in flight (figures/handler-stages.ts). */
  handlerStages?: HandlerStages;
  path: StageFigures & {
    sendMs: number;
    invocations: number;
    meanInvocationMs: number;
    jobsVerified: number;
  };
  send: StageFigures;
  sqs: StageFigures;
  dynamodb: StageFigures;
  /** end to end / ceiling, in jobs per second (the target is 0.8 or more). */
  ratio: number;
}

/** A stage's figures from its wall time and the times its items finished (ms on one clock). */
export function stageFigures(
  startedAt: number,
  ms: number,
  doneAt: number[],
  callMs?: number[],
): StageFigures {
  const figures: StageFigures = {
    items: doneAt.length,
    ms,
    perSecond: doneAt.length / (ms / 1000),
    doneAtMs: doneAt.map((t) => Math.round(t - startedAt)),
  };
  if (callMs) figures.callMs = callMs.map((t) => Math.round(t * 10) / 10);
  return figures;
}

export const SERIES = {
  ceiling: 'ceiling: raw create',
  handler: 'submit handler, no SQS',
  path: 'submit path, end to end',
  send: 'SQS send alone',
  sqs: 'SQS receive+delete alone',
  dynamodb: 'DynamoDB put alone',
} as const;

/** Items per second over time per stage, the time per call, the rates as bars, and the handler's stages. */
export function submitCharts(f: SubmitFigures): Chart[] {
  const batch = f.config.batchSize;
  const rate = (key: keyof typeof SERIES) => ratePoints(SERIES[key], f[key].doneAtMs, 0);
  const stages: Chart[] = f.handlerStages
    ? [
        {
          id: 'stages',
          kind: 'bars',
          title: `Submit handler alone: a mean invocation of ${batch} records by what was in flight`,
          bars: bars(
            'ms of a mean invocation',
            Object.fromEntries(f.handlerStages.stages.map((s) => [s.stage, s.ms])),
          ),
        },
      ]
    : [];
  return [
    {
      id: 'throughput',
      kind: 'throughput',
      title: `Submit: items done per second, N=${f.config.n}, ${f.config.inFlight} in flight`,
      unit: 'items per second',
      baseline: SERIES.ceiling,
      points: (['ceiling', 'handler', 'path', 'send', 'sqs', 'dynamodb'] as const).flatMap(rate),
    },
    {
      id: 'latency',
      kind: 'latency',
      title: `Submit: one create (ceiling) and one invocation of ${batch} records`,
      unit: 'ms per call',
      baseline: SERIES.ceiling,
      samples: [
        ...samples(SERIES.ceiling, f.ceiling.callMs ?? []),
        ...samples(`${SERIES.handler} (invocation)`, f.handler.callMs ?? []),
        ...samples(`${SERIES.path} (invocation)`, f.path.callMs ?? []),
      ],
    },
    {
      id: 'rates',
      kind: 'bars',
      title: `Submit: rates, ceiling beside ours (N=${f.config.n})`,
      baseline: SERIES.ceiling,
      bars: [
        ...bars('jobs/s', {
          [SERIES.ceiling]: f.ceiling.perSecond,
          [SERIES.handler]: f.handler.perSecond,
          [SERIES.path]: f.path.perSecond,
        }),
        ...bars('share of the ceiling (jobs/s)', {
          [SERIES.handler]: f.handler.perSecond / f.ceiling.perSecond,
          [SERIES.path]: f.ratio,
        }),
        ...bars('each stage alone, items/s', {
          [SERIES.ceiling]: f.ceiling.perSecond,
          [SERIES.send]: f.send.perSecond,
          [SERIES.sqs]: f.sqs.perSecond,
          [SERIES.dynamodb]: f.dynamodb.perSecond,
        }),
      ],
    },
    ...stages,
  ];
}

/** The --cold-start mode: the submit bundle's size and its fresh processes' import and first call. */
export interface SubmitColdStartFigures {
  bundle: string;
  bundleBytes: number;
  node: string;
  runs: { importMs: number; firstInvokeMs: number }[];
}

export function submitColdStartCharts(f: SubmitColdStartFigures): Chart[] {
  return [
    {
      id: 'latency',
      kind: 'latency',
      title: `Submit bundle cold start, ${f.runs.length} fresh processes`,
      unit: 'ms',
      samples: [
        ...samples(
          'import',
          f.runs.map((r) => r.importMs),
        ),
        ...samples(
          'first invocation',
          f.runs.map((r) => r.firstInvokeMs),
        ),
        ...samples(
          'total',
          f.runs.map((r) => r.importMs + r.firstInvokeMs),
        ),
      ],
    },
  ];
}
