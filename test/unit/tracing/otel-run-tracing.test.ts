import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { OtelRunTracing } from '../../../src/infrastructure/telemetry/otel-run-tracing.js';
import { formatTraceparent, parseTraceparent } from '../../../src/infrastructure/telemetry/traceparent.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracing = new OtelRunTracing(provider.getTracer('test'), () => provider.forceFlush());
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(async () => {
  context.disable();
  await provider.shutdown();
});

const finished = (name: string) => exporter.getFinishedSpans().filter((s) => s.name === name);

describe('traceparent', () => {
  it('round-trips a span context', () => {
    const value = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const parsed = parseTraceparent(value)!;
    expect(parsed).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    expect(formatTraceparent(parsed)).toBe(value);
    expect(formatTraceparent({ ...parsed, traceFlags: 0 })).toBe(value.replace(/01$/, '00'));
  });

  it('rejects malformed and all-zero contexts', () => {
    for (const bad of [
      '',
      'garbage',
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      '00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01',
      '00-00000000000000000000000000000000-b7ad6b7169203331-01',
      '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    ]) {
      expect(parseTraceparent(bad)).toBeNull();
    }
  });
});

describe('OtelRunTracing', () => {
  it('continues the span a traceparent names, across processes', () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const span = tracing.startSpan('task.execute', {
      parent: { traceparent: parent },
      kind: 'consumer',
      attributes: { 'sagaflow.run_id': 'r1' },
    });
    expect(span.traceparent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    span.end();
    const [done] = finished('task.execute');
    expect(done!.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(done!.kind).toBe(SpanKind.CONSUMER);
    expect(done!.attributes).toEqual({ 'sagaflow.run_id': 'r1' });
  });

  it('starts a trace of its own without a (valid) parent', () => {
    const a = tracing.startSpan('orchestrator.apply_batch', { parent: { traceparent: null } });
    const b = tracing.startSpan('orphan', { parent: { traceparent: 'not-a-traceparent' } });
    a.end();
    b.end();
    for (const name of ['orchestrator.apply_batch', 'orphan']) {
      expect(finished(name)[0]!.parentSpanContext).toBeUndefined();
    }
    expect(parseTraceparent(a.traceparent)!.traceId).not.toBe(parseTraceparent(b.traceparent)!.traceId);
  });

  it('nests under the active span, and runs work inside its own', async () => {
    const outer = tracing.startSpan('POST', { parent: { traceparent: null } });
    const inner = await outer.run(async () => {
      await Promise.resolve();
      const started = tracing.startSpan('run.start', { parent: { active: true } });
      // Detached work belongs to no trace, even when started inside one.
      const detached = tracing.detached(() => tracing.startSpan('shared', { parent: { active: true } }));
      detached.end();
      return started;
    });
    inner.end();
    outer.end();
    expect(finished('run.start')[0]!.parentSpanContext?.spanId).toBe(
      parseTraceparent(outer.traceparent)!.spanId,
    );
    expect(finished('shared')[0]!.parentSpanContext).toBeUndefined();
  });

  it('links to other spans: the active one, or one given', async () => {
    const request = tracing.startSpan('POST cancel', { parent: { traceparent: null } });
    const stored = '00-1af7651916cd43dd8448eb211c80319c-c7ad6b7169203331-01';
    const command = request.run(() =>
      tracing.startSpan('run.cancel', { parent: { traceparent: stored }, linkActive: true }),
    );
    const item = tracing.startSpan('run.apply_result', { parent: { traceparent: null } });
    command.addLink(item);
    item.end();
    command.end();
    request.end();
    const [done] = finished('run.cancel');
    expect(done!.spanContext().traceId).toBe('1af7651916cd43dd8448eb211c80319c');
    expect(done!.links.map((l) => l.context.spanId)).toEqual([
      parseTraceparent(request.traceparent)!.spanId,
      parseTraceparent(item.traceparent)!.spanId,
    ]);
  });

  it('makes no span under a sampled-out parent when the sampler follows the parent', async () => {
    const following = new OtelRunTracing(provider.getTracer('test'), () => provider.forceFlush(), true);
    const unsampled = '00-3af7651916cd43dd8448eb211c80319c-e7ad6b7169203331-00';
    const child = following.startSpan('task.dispatch', { parent: { traceparent: unsampled } });
    // The parent's context passes on unchanged, so the whole run stays sampled out.
    expect(child.traceparent).toBe(unsampled);
    expect(child.run(() => 42)).toBe(42);
    child.end(new Error('ignored'));
    expect(finished('task.dispatch')).toHaveLength(0);
    const sampled = following.startSpan('sampled.child', {
      parent: { traceparent: unsampled.replace(/00$/, '01') },
    });
    sampled.end();
    expect(finished('sampled.child')).toHaveLength(1);
  });

  it('marks a span failed with an error or a task failure', () => {
    tracing.startSpan('a', { parent: { traceparent: null } }).end(new TypeError('boom'));
    tracing
      .startSpan('b', { parent: { traceparent: null } })
      .end({ message: 'charge refused', code: 'non_retryable', retryable: false });
    tracing.startSpan('c', { parent: { traceparent: null } }).end();
    expect(finished('a')[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'boom' });
    expect(finished('a')[0]!.attributes['error.type']).toBe('TypeError');
    expect(finished('b')[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'charge refused' });
    expect(finished('b')[0]!.attributes['error.type']).toBe('non_retryable');
    expect(finished('c')[0]!.status.code).toBe(SpanStatusCode.UNSET);
  });
});
