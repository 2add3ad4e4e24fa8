/**
 * What the standard OTEL_* variables ask of tracing (docs/contract.md#observability). Everything else they configure —
 * protocol (`http/protobuf`, `http/json`, `grpc`), headers, OTEL_BSP_* batching, sampler,
 * resource attributes — is read by the OpenTelemetry SDK itself.
 */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (['true', '1'].includes((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase())) return false;
  if (list(env.OTEL_TRACES_EXPORTER).includes('none')) return false;
  // Off without an endpoint: the SDK's default (localhost:4318) would send traces nobody asked for.
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim());
}

/** Our own default service name, unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES names one. */
export function defaultServiceName(env: NodeJS.ProcessEnv): string | undefined {
  if (env.OTEL_SERVICE_NAME?.trim()) return undefined;
  if (list(env.OTEL_RESOURCE_ATTRIBUTES).some((pair) => pair.startsWith('service.name='))) return undefined;
  return 'sagaflow';
}

/** Whether OTEL_TRACES_SAMPLER keeps to the parent's sampling decision (the default does). */
export function followsParentSampling(env: NodeJS.ProcessEnv): boolean {
  const sampler = env.OTEL_TRACES_SAMPLER?.trim() ?? '';
  return sampler === '' || sampler.startsWith('parentbased_');
}

/**
 * Sagaflow's default sampling when OTEL_TRACES_SAMPLER is unset: a tenth of the runs, decided at
 * the root of each run's trace (`parentbased_traceidratio`), instead of the SDK's record-all.
 * Recording every run cost a fifth of the throughput at saturation; see docs/tracing.md#sampling.
 */
export const DEFAULT_TRACE_RATIO = 0.1;

/**
 * The ratio of runs to trace when Sagaflow picks the sampler (OTEL_TRACES_SAMPLER unset), taken
 * from OTEL_TRACES_SAMPLER_ARG when that is a number from 0 to 1; null when the variable names a
 * sampler, which the SDK then builds itself.
 */
export function defaultSampleRatio(env: NodeJS.ProcessEnv): number | null {
  if (env.OTEL_TRACES_SAMPLER?.trim()) return null;
  const arg = Number(env.OTEL_TRACES_SAMPLER_ARG?.trim() || Number.NaN);
  return arg >= 0 && arg <= 1 ? arg : DEFAULT_TRACE_RATIO;
}

export const INSTRUMENTATIONS = ['http', 'pg', 'ioredis', 'amqplib'] as const;
export type InstrumentationName = (typeof INSTRUMENTATIONS)[number];

/**
 * Instrumentations to load: `http`, `pg` and `ioredis` unless OTEL_NODE_ENABLED_INSTRUMENTATIONS
 * lists others; minus OTEL_NODE_DISABLED_INSTRUMENTATIONS. `amqplib` only when enabled by name:
 * Sagaflow's own `task.dispatch`/`task.execute` spans already are the messaging spans, and the
 * instrumentation doubles the spans per message on the hot path (docs/tracing.md).
 */
export function instrumentationNames(env: NodeJS.ProcessEnv): InstrumentationName[] {
  const enabled = list(env.OTEL_NODE_ENABLED_INSTRUMENTATIONS);
  const disabled = new Set(list(env.OTEL_NODE_DISABLED_INSTRUMENTATIONS));
  const wanted = enabled.length > 0 ? enabled : ['http', 'pg', 'ioredis'];
  return INSTRUMENTATIONS.filter((name) => wanted.includes(name) && !disabled.has(name));
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
