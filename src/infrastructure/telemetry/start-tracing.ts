import { register } from 'node:module';
import { trace, type ProxyTracerProvider } from '@opentelemetry/api';
import { untraced, type RunTracing } from '../../application/ports/run-tracing.js';
import { loadInstrumentations } from './instrumentations.js';
import { OtelRunTracing } from './otel-run-tracing.js';
import {
  defaultSampleRatio,
  defaultServiceName,
  followsParentSampling,
  instrumentationNames,
  tracingRequested,
} from './tracing-env.js';

export interface Tracing {
  /** Flushes and stops the SDK. */
  shutdown(): Promise<void>;
}

/**
 * The process's tracing, once started. The OpenTelemetry SDK is process-global by design (it
 * registers the global tracer provider and patches modules as they load), so this mirrors that
 * one fact rather than passing it through every constructor.
 */
let started: RunTracing = untraced;

/**
 * Starts the OpenTelemetry SDK if the OTEL_* environment asks for traces; returns null (and
 * loads none of the SDK) otherwise. Call it before the application is imported: the
 * instrumentations patch `pg`, `amqplib`, `ioredis` and `node:http` as they are first loaded.
 */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing | null> {
  if (!tracingRequested(env)) return null;
  const names = instrumentationNames(env);
  // pg, amqplib and node:http (required by Fastify) are CommonJS and get patched through
  // require-in-the-middle; ioredis is imported by ESM code as a whole module, which only the
  // import-in-the-middle loader hook sees. Limited to the instrumented packages, the hook leaves
  // every other module alone.
  const hooked = names.filter((name) => name !== 'http');
  if (hooked.length > 0) {
    register('@opentelemetry/instrumentation/hook.mjs', import.meta.url, { data: { include: hooked } });
  }
  const [{ NodeSDK }, { defaultResource, resourceFromAttributes }, samplers, instrumentations] =
    await Promise.all([
      import('@opentelemetry/sdk-node'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/sdk-trace'),
      loadInstrumentations(names),
    ]);
  const ratio = defaultSampleRatio(env);
  const sdk = new NodeSDK({
    serviceName: defaultServiceName(env),
    resource: defaultResource().merge(
      resourceFromAttributes({ 'sagaflow.roles': env.SAGAFLOW_ROLES ?? 'api,relay,orchestrator,worker' }),
    ),
    instrumentations,
    // Without OTEL_TRACES_SAMPLER, a share of the runs (tracing-env.ts, DEFAULT_TRACE_RATIO).
    ...(ratio === null
      ? {}
      : { sampler: new samplers.ParentBasedSampler({ root: new samplers.TraceIdRatioBasedSampler(ratio) }) }),
    // Traces only: metrics are Prometheus text on /metrics (docs/contract.md#observability), logs go to pino.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  // The global provider is a proxy; the SDK's provider behind it is what buffers spans.
  const provider = (trace.getTracerProvider() as ProxyTracerProvider).getDelegate() as {
    forceFlush?: () => Promise<void>;
  };
  started = new OtelRunTracing(
    trace.getTracer('sagaflow'),
    async () => {
      await provider.forceFlush?.();
    },
    followsParentSampling(env),
  );
  return { shutdown: () => sdk.shutdown() };
}

/** Sagaflow's spans: OpenTelemetry once `startTracing` started it, nothing otherwise. */
export function runTracing(): RunTracing {
  return started;
}
