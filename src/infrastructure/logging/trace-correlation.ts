import { context, isSpanContextValid, trace } from '@opentelemetry/api';

/** The fields that tie a log line to the span it was written in. */
export interface TraceFields {
  trace_id?: string;
  span_id?: string;
}

/**
 * A pino `mixin`: the active span's trace and span id, or nothing outside a span. It returns a
 * fresh object every time because pino merges the line's own fields into (mutates) what the
 * mixin returns.
 */
export function traceCorrelation(): TraceFields {
  const span = trace.getSpan(context.active());
  if (span === undefined) return {};
  const ids = span.spanContext();
  return isSpanContextValid(ids) ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
}
