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
