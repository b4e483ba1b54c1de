import {
  type Attributes,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';

/**
 * Spans through the OpenTelemetry API alone (docs/deploy.md, "Tracing"). With no SDK registered
 * (locally, in the tests, in AWS without the ADOT layer) the API hands out non-recording spans and
 * a span costs next to nothing. With the ADOT layer, its SDK registers the global tracer provider
 * before the handler loads, and these spans become children of the invocation's span.
 * The layer's auto-instrumentation cannot patch the AWS SDK or client-node inside the bundle, so
 * the adapters open the spans of their calls themselves, one per call (retries included).
 */
const tracer = trace.getTracer('eks-job-runner');

/** The attribute every span about one job carries; X-Ray indexes it as the annotation `job_id`. */
export const JOB_ID = 'job.id';
/** The jobs of a call about several (a PutEvents batch): X-Ray keeps a list as metadata only. */
export const JOB_IDS = 'job.ids';
/** Span attributes; an undefined one is left out. */
export type SpanAttributes = Record<string, Attributes[string]>;
/** Asks the X-Ray exporter to make these attributes searchable annotations (the rest is metadata). */
const XRAY_ANNOTATIONS = { 'aws.xray.annotations': [JOB_ID] };

/**
 * Runs `fn` in a span named `name`, the active span for the calls it makes. A throw ends the span
 * as an error, with the exception recorded, and is rethrown. Undefined attributes are left out; a
 * span with a job id asks X-Ray to index it.
 */
export function traced<T>(
  name: string,
  attributes: SpanAttributes,
  fn: (span: Span) => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  const defined: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) defined[key] = value;
  if (defined[JOB_ID] !== undefined) Object.assign(defined, XRAY_ANNOTATIONS);
  return tracer.startActiveSpan(name, { kind, attributes: defined }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      failed(span, error instanceof Error ? error.message : String(error));
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A call to another system, named `<system> <operation>`: `dynamodb PutItem`, `kubernetes createJob`. */
export function tracedCall<T>(
  name: string,
  attributes: SpanAttributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  return traced(name, attributes, fn, SpanKind.CLIENT);
}

/**
 * An AWS API call (`dynamodb PutItem`), with the attributes X-Ray draws the service map from
 * (`rpc.system` aws-api, `rpc.service`, `rpc.method`), as the SDK's instrumentation would set them.
 */
export function awsCall<T>(
  service: 'DynamoDB' | 'EventBridge',
  operation: string,
  attributes: SpanAttributes,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const rpc = { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': operation };
  return tracedCall(`${service.toLowerCase()} ${operation}`, { ...rpc, ...attributes }, fn);
}

/** Runs `fn` with no active span: the spans it opens are roots (a batch's call made for several messages). */
export function outsideSpans<T>(fn: () => T): T {
  return context.with(ROOT_CONTEXT, fn);
}

/** Marks a span failed without a throw (a call that answers with its failure). */
export function failed(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** An event on the active span (a retry, say); nothing when there is none. */
export function spanEvent(name: string, attributes?: Attributes): void {
  trace.getActiveSpan()?.addEvent(name, attributes);
}

export { type Span, SpanKind };
