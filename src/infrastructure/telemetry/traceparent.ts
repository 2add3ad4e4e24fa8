import { INVALID_SPANID, INVALID_TRACEID, type SpanContext } from '@opentelemetry/api';

/** W3C trace context, version 00: `00-<trace id>-<span id>-<flags>`. */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export function formatTraceparent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-${(context.traceFlags & 0xff).toString(16).padStart(2, '0')}`;
}

/** The remote span context a `traceparent` names, or null if it is not a valid one. */
export function parseTraceparent(value: string): SpanContext | null {
  const match = TRACEPARENT.exec(value);
  if (!match) return null;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  // The pattern already checked the hex digits; all zeros is the one invalid value left.
  if (traceId === INVALID_TRACEID || spanId === INVALID_SPANID) return null;
  return { traceId, spanId, traceFlags: parseInt(flags, 16), isRemote: true };
}
