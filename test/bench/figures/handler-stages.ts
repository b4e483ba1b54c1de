// Where a submit invocation's time goes, from the spans its adapters open (docs/deploy.md,
// "Tracing"): each invocation's wall time cut into stages by what was in flight, so the stages add
// up to the invocation. Pure: spans and invocation windows in, figures out (test/bench/span-recorder.ts
// records them in the benchmark's handler-alone stage).

/** A finished span of one invocation, on the performance.now() clock. */
export interface TimedSpan {
  name: string;
  start: number;
  end: number;
  /** The invocation it was opened in (its index), if any. */
  invocation?: number;
}

/** An invocation: when it ran and how many records it had. */
export interface Invocation {
  start: number;
  end: number;
  records: number;
}

/**
 * The stages, in the order that claims time when several are in flight at once: while any Job
 * create is in flight the invocation is doing what the ceiling does; the time with none is the loss,
 * told by what it waited for instead.
 */
export const STAGES = [
  { stage: 'Job create', spans: ['kubernetes createJob', 'kubernetes readJob'] },
  { stage: 'record write', spans: ['dynamodb TransactWriteItems', 'dynamodb PutItem', 'dynamodb GetItem'] },
  { stage: 'cancel check', spans: ['dynamodb BatchGetItem'] },
  { stage: 'other calls', spans: [] },
] as const;
/** No call in flight: parsing, the policy, rendering, and waiting for the CPU. */
export const IDLE = 'no call in flight';
/** The one span per message: it spans its calls, so it is no stage of its own. */
const ENCLOSING = new Set(['submit message']);

export interface HandlerStages {
  invocations: number;
  records: number;
  meanInvocationMs: number;
  /** ms of a mean invocation per stage (they add up to meanInvocationMs), and its share. */
  stages: { stage: string; ms: number; share: number }[];
  /** Calls per record by span name, and their mean time. */
  calls: { name: string; perRecord: number; meanMs: number }[];
  /** Job creates in flight on average over `wallMs` (the ceiling keeps its concurrency in flight). */
  createsInFlight: number;
}

function stageOf(name: string): number {
  const i = STAGES.findIndex((s) => (s.spans as readonly string[]).includes(name));
  return i < 0 ? STAGES.length - 1 : i;
}

/** One invocation's wall time by stage: each moment goes to the first stage in flight, or to IDLE. */
export function cutInvocation(window: Invocation, spans: readonly TimedSpan[]): number[] {
  const ms = new Array<number>(STAGES.length + 1).fill(0);
  const clipped = spans
    .map((s) => ({
      stage: stageOf(s.name),
      start: Math.max(s.start, window.start),
      end: Math.min(s.end, window.end),
    }))
    .filter((s) => s.end > s.start);
  const points = [...new Set([window.start, window.end, ...clipped.flatMap((s) => [s.start, s.end])])].sort(
    (a, b) => a - b,
  );
  for (let k = 0; k + 1 < points.length; k++) {
    const [from, to] = [points[k] as number, points[k + 1] as number];
    const active = clipped.filter((s) => s.start <= from && s.end >= to).map((s) => s.stage);
    const stage = active.length > 0 ? Math.min(...active) : STAGES.length;
    ms[stage] = (ms[stage] as number) + (to - from);
  }
  return ms;
}

export function handlerStages(
  invocations: readonly Invocation[],
  spans: readonly TimedSpan[],
  wallMs: number,
): HandlerStages {
  const calls = spans.filter((s) => s.invocation !== undefined && !ENCLOSING.has(s.name));
  const byInvocation = new Map<number, TimedSpan[]>();
  for (const s of calls)
    byInvocation.set(s.invocation as number, [...(byInvocation.get(s.invocation as number) ?? []), s]);
  const totals = new Array<number>(STAGES.length + 1).fill(0);
  invocations.forEach((window, i) => {
    cutInvocation(window, byInvocation.get(i) ?? []).forEach((ms, k) => {
      totals[k] = (totals[k] as number) + ms;
    });
  });
  const n = Math.max(1, invocations.length);
  const wall = totals.reduce((a, b) => a + b, 0);
  const records = invocations.reduce((a, w) => a + w.records, 0);
  const names = [...new Set(calls.map((s) => s.name))].sort(
    (a, b) => stageOf(a) - stageOf(b) || a.localeCompare(b),
  );
  const spent = (s: TimedSpan) => s.end - s.start;
  return {
    invocations: invocations.length,
    records,
    meanInvocationMs: wall / n,
    stages: [...STAGES.map((s) => s.stage), IDLE].map((stage, k) => ({
      stage,
      ms: (totals[k] as number) / n,
      share: wall > 0 ? (totals[k] as number) / wall : 0,
    })),
    calls: names.map((name) => {
      const these = calls.filter((s) => s.name === name);
      return {
        name,
        perRecord: these.length / Math.max(1, records),
        meanMs: these.reduce((a, s) => a + spent(s), 0) / these.length,
      };
    }),
    createsInFlight:
      calls.filter((s) => s.name === 'kubernetes createJob').reduce((a, s) => a + spent(s), 0) /
      Math.max(1, wallMs),
  };
}
