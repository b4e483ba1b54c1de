// The spans of the submit bundle's calls, recorded in the benchmark's own process: a tracer
// provider registered globally through the OpenTelemetry API, which the bundle's copy of the API
// finds (one global per API major version), so the handler runs unchanged. Each span is tagged
// with the invocation it was opened in through an AsyncLocalStorage around the handler call.
import { AsyncLocalStorage } from 'node:async_hooks';
import { INVALID_SPAN_CONTEXT, type Span, type Tracer, type TracerProvider, trace } from '@opentelemetry/api';
import type { Invocation, TimedSpan } from './figures/handler-stages.ts';

export interface SpanRecorder {
  spans: TimedSpan[];
  invocations: Invocation[];
  /** Runs one invocation of `records` records, its spans tagged with it. */
  invoke<T>(records: number, fn: () => Promise<T>): Promise<T>;
}

/**
 * Registers the recorder as the global tracer provider. Call it before the bundle is imported: the
 * bundle takes its tracer at import, and a provider registered later reaches only this process's
 * copy of the API.
 */
export function recordSpans(): SpanRecorder {
  const current = new AsyncLocalStorage<number>();
  const spans: TimedSpan[] = [];
  const invocations: Invocation[] = [];
  const open = (name: string): Span => {
    const timed: TimedSpan = {
      name,
      start: performance.now(),
      end: Number.NaN,
      invocation: current.getStore(),
    };
    const span: Span = {
      spanContext: () => INVALID_SPAN_CONTEXT,
      setAttribute: () => span,
      setAttributes: () => span,
      addEvent: () => span,
      addLink: () => span,
      addLinks: () => span,
      setStatus: () => span,
      updateName: () => span,
      end: () => {
        timed.end = performance.now();
        spans.push(timed);
      },
      isRecording: () => true,
      recordException: () => {},
    };
    return span;
  };
  const tracer = {
    startSpan: (name: string) => open(name),
    // (name, fn), (name, options, fn) or (name, options, context, fn): the function is the last.
    startActiveSpan: (name: string, ...rest: unknown[]) =>
      (rest.at(-1) as (span: Span) => unknown)(open(name)),
  } as unknown as Tracer;
  const provider: TracerProvider = { getTracer: () => tracer };
  if (!trace.setGlobalTracerProvider(provider)) throw new Error('a tracer provider was registered already');
  return {
    spans,
    invocations,
    async invoke(records, fn) {
      const window: Invocation = { start: performance.now(), end: Number.NaN, records };
      const index = invocations.push(window) - 1;
      try {
        return await current.run(index, fn);
      } finally {
        window.end = performance.now();
      }
    },
  };
}
