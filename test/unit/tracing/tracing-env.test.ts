import { describe, expect, it } from '@jest/globals';
import {
  defaultServiceName,
  DEFAULT_TRACE_RATIO,
  defaultSampleRatio,
  followsParentSampling,
  instrumentationNames,
  tracingRequested,
} from '../../../src/infrastructure/telemetry/tracing-env.js';

describe('tracing configuration from OTEL_* variables', () => {
  it('is off without an OTLP endpoint, or when disabled', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://c:4318/v1/traces' })).toBe(true);
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(tracingRequested({ ...on, OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(tracingRequested({ ...on, OTEL_TRACES_EXPORTER: 'none' })).toBe(false);
    expect(tracingRequested({ ...on, OTEL_SDK_DISABLED: 'false' })).toBe(true);
  });

  it('names the service sagaflow unless the environment names it', () => {
    expect(defaultServiceName({})).toBe('sagaflow');
    expect(defaultServiceName({ OTEL_SERVICE_NAME: 'orders' })).toBeUndefined();
    expect(defaultServiceName({ OTEL_RESOURCE_ATTRIBUTES: 'team=x,service.name=orders' })).toBeUndefined();
    expect(defaultServiceName({ OTEL_RESOURCE_ATTRIBUTES: 'team=x' })).toBe('sagaflow');
  });

  it('loads http, pg and ioredis by default; amqplib only when enabled by name', () => {
    expect(instrumentationNames({})).toEqual(['http', 'pg', 'ioredis']);
    expect(instrumentationNames({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pg, ioredis' })).toEqual(['http']);
    expect(instrumentationNames({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,amqplib,unknown' })).toEqual([
      'http',
      'amqplib',
    ]);
  });

  it('samples a tenth of the runs unless OTEL_TRACES_SAMPLER names a sampler; OTEL_TRACES_SAMPLER_ARG sets the share', () => {
    expect(defaultSampleRatio({})).toBe(DEFAULT_TRACE_RATIO);
    expect(DEFAULT_TRACE_RATIO).toBe(0.1);
    expect(defaultSampleRatio({ OTEL_TRACES_SAMPLER_ARG: '0.25' })).toBe(0.25);
    expect(defaultSampleRatio({ OTEL_TRACES_SAMPLER_ARG: '1' })).toBe(1);
    expect(defaultSampleRatio({ OTEL_TRACES_SAMPLER_ARG: 'lots' })).toBe(DEFAULT_TRACE_RATIO);
    expect(defaultSampleRatio({ OTEL_TRACES_SAMPLER_ARG: '2' })).toBe(DEFAULT_TRACE_RATIO);
    expect(defaultSampleRatio({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' })).toBeNull();
    expect(
      defaultSampleRatio({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.5' }),
    ).toBeNull();
  });

  it('knows whether the sampler follows the parent decision', () => {
    expect(followsParentSampling({})).toBe(true);
    expect(followsParentSampling({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' })).toBe(true);
    expect(followsParentSampling({ OTEL_TRACES_SAMPLER: 'traceidratio' })).toBe(false);
    expect(followsParentSampling({ OTEL_TRACES_SAMPLER: 'always_on' })).toBe(false);
  });
});
