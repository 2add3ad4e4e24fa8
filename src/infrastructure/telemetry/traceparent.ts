import { isSpanContextValid, type SpanContext } from '@opentelemetry/api';

/** W3C trace context, version 00: `00-<trace id>-<span id>-<flags>`. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The remote span context a `traceparent` names, or null if it is not a valid one. */
export function parseTraceparent(value: string): SpanContext | null {
  const match = TRACEPARENT.exec(value);
  if (!match) return null;
  const context: SpanContext = {
    traceId: match[1]!,
    spanId: match[2]!,
    traceFlags: parseInt(match[3]!, 16),
    isRemote: true,
  };
  return isSpanContextValid(context) ? context : null;
}
