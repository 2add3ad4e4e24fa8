import type { IncomingMessage } from 'node:http';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { InstrumentationName } from './tracing-env.js';

/** Probes and scrapes would be a trace each, every few seconds, with nothing to say. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * The auto-instrumentations, loaded only when tracing is on. pg and ioredis record a span only
 * inside a traced operation (`requireParentSpan`), so pollers (timer sweeps, lease renewals,
 * the relay's sweep) do not each start a trace.
 */
export async function loadInstrumentations(
  names: readonly InstrumentationName[],
): Promise<Instrumentation[]> {
  const load: Record<InstrumentationName, () => Promise<Instrumentation>> = {
    http: async () => {
      const { HttpInstrumentation } = await import('@opentelemetry/instrumentation-http');
      return new HttpInstrumentation({
        ignoreIncomingRequestHook: (request: IncomingMessage) => UNTRACED_PATHS.test(request.url ?? ''),
        requireParentforOutgoingSpans: true,
      });
    },
    pg: async () => {
      const { PgInstrumentation } = await import('@opentelemetry/instrumentation-pg');
      return new PgInstrumentation({ requireParentSpan: true, ignoreConnectSpans: true });
    },
    ioredis: async () => {
      const { IORedisInstrumentation } = await import('@opentelemetry/instrumentation-ioredis');
      // The command alone: its arguments are run keys and serialised views, long and of no use.
      return new IORedisInstrumentation({
        requireParentSpan: true,
        dbStatementSerializer: (command) => command,
      });
    },
    amqplib: async () => {
      const { AmqplibInstrumentation } = await import('@opentelemetry/instrumentation-amqplib');
      return new AmqplibInstrumentation();
    },
  };
  return Promise.all(names.map((name) => load[name]()));
}
