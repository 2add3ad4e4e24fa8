import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { createLogger } from '../../../src/infrastructure/logging/create-logger.js';
import { OtelRunTracing } from '../../../src/infrastructure/telemetry/otel-run-tracing.js';
import { captureLines } from './capture.js';

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

function traced() {
  const { destination, lines } = captureLines();
  return { logger: createLogger({ level: 'info', traceCorrelation: true, destination }), lines };
}

describe('trace correlation (pino mixin)', () => {
  it('stamps each line written inside a span with its trace and span id, across awaits', async () => {
    const { logger, lines } = traced();
    const span = tracing.startSpan('task.execute', { parent: { traceparent: null } });
    await span.run(async () => {
      logger.info('before');
      await new Promise((resolve) => setTimeout(resolve, 1));
      logger.info({ run_id: 'r1' }, 'after an await');
    });
    span.end();
    const [recorded] = exporter.getFinishedSpans().filter((s) => s.name === 'task.execute');
    const ids = { trace_id: recorded!.spanContext().traceId, span_id: recorded!.spanContext().spanId };
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'before', ...ids }),
      expect.objectContaining({ msg: 'after an await', run_id: 'r1', ...ids }),
    ]);
  });

  it('adds nothing outside a span, even right after lines inside one', () => {
    const { logger, lines } = traced();
    const span = tracing.startSpan('run.start', { parent: { traceparent: null } });
    span.run(() => logger.info({ run_id: 'r2' }, 'inside'));
    span.end();
    logger.info('outside');
    logger.info({ task_key: 'a' }, 'outside with fields');
    logger.info('last');
    expect(lines[0]).toHaveProperty('trace_id');
    for (const line of lines.slice(1)) {
      expect(line).not.toHaveProperty('trace_id');
      expect(line).not.toHaveProperty('span_id');
      // pino merges a line's fields into what the mixin returned: none may leak to the next line.
      expect(line).not.toHaveProperty('run_id');
    }
    expect(lines[2]).toMatchObject({ task_key: 'a' });
    expect(lines[3]).not.toHaveProperty('task_key');
  });

  it('ignores an invalid span context', () => {
    const { logger, lines } = traced();
    const invalid = trace.wrapSpanContext({
      traceId: '00000000000000000000000000000000',
      spanId: '0000000000000000',
      traceFlags: 0,
    });
    context.with(trace.setSpan(ROOT_CONTEXT, invalid), () => logger.info('invalid'));
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('is not installed when tracing is off', () => {
    const { destination, lines } = captureLines();
    const logger = createLogger({ level: 'info', traceCorrelation: false, destination });
    const span = tracing.startSpan('run.start', { parent: { traceparent: null } });
    span.run(() => logger.info('inside'));
    span.end();
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).toMatchObject({ level: 'info', msg: 'inside' });
  });
});
