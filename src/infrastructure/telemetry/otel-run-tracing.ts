import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type SpanContext,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import type {
  RunTracing,
  SpanAttributes,
  SpanOptions,
  TraceSpan,
} from '../../application/ports/run-tracing.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

const KINDS = { internal: SpanKind.INTERNAL, producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER };

/** The RunTracing port on the OpenTelemetry API (the SDK behind it is started by start-tracing.ts). */
export class OtelRunTracing implements RunTracing {
  readonly enabled = true;

  constructor(
    private readonly tracer: Tracer,
    private readonly flushAll: () => Promise<void>,
    /**
     * The sampler follows the parent's decision (the default, `parentbased_*`): a span under an
     * unsampled parent would be dropped, so none is made and the parent's context passes on.
     * That keeps a sampled-out run nearly as cheap as tracing off.
     */
    private readonly followParentSampling = false,
  ) {}

  startSpan(name: string, options: SpanOptions): TraceSpan {
    const active = context.active();
    const parent = 'active' in options.parent ? active : remote(options.parent.traceparent);
    if (this.followParentSampling) {
      const decided = trace.getSpanContext(parent);
      if (decided && (decided.traceFlags & TraceFlags.SAMPLED) === 0) return new UnsampledSpan(decided);
    }
    const links: Link[] = [];
    const current = options.linkActive ? trace.getSpanContext(active) : undefined;
    if (current) links.push({ context: current });
    const span = this.tracer.startSpan(
      name,
      {
        kind: KINDS[options.kind ?? 'internal'],
        attributes: options.attributes,
        links,
        root: parent === ROOT_CONTEXT,
      },
      parent,
    );
    return new OtelTraceSpan(span);
  }

  detached<T>(work: () => T): T {
    return context.with(ROOT_CONTEXT, work);
  }

  flush(): Promise<void> {
    return this.flushAll();
  }
}

/** A context whose parent is the span a `traceparent` names; a malformed one starts a new trace. */
function remote(traceparent: string | null): Context {
  const parent = traceparent === null ? null : parseTraceparent(traceparent);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

class OtelTraceSpan implements TraceSpan {
  private formatted: string | undefined;

  constructor(readonly span: Span) {}

  get traceparent(): string {
    this.formatted ??= formatTraceparent(this.span.spanContext());
    return this.formatted;
  }

  setAttributes(attributes: SpanAttributes): void {
    this.span.setAttributes(attributes);
  }

  addLink(span: TraceSpan): void {
    if (span instanceof OtelTraceSpan) this.span.addLink({ context: span.span.spanContext() });
  }

  run<T>(work: () => T): T {
    return context.with(trace.setSpan(context.active(), this.span), work);
  }

  end(error?: unknown): void {
    if (error !== undefined) {
      const { message, type } = describeFailure(error);
      this.span.setStatus({ code: SpanStatusCode.ERROR, message });
      this.span.setAttribute('error.type', type);
    }
    this.span.end();
  }
}

/** Stands for a span of a sampled-out trace: records nothing, passes the trace context on. */
class UnsampledSpan implements TraceSpan {
  readonly traceparent: string;

  constructor(parent: SpanContext) {
    this.traceparent = formatTraceparent(parent);
  }

  setAttributes(): void {}
  addLink(): void {}
  run<T>(work: () => T): T {
    return work();
  }
  end(): void {}
}

/** An `Error`, or a task failure `{ message, code }` as workers report it. */
function describeFailure(error: unknown): { message: string; type: string } {
  if (error instanceof Error) return { message: error.message, type: error.name };
  if (typeof error === 'object' && error !== null) {
    const { message, code } = error as { message?: unknown; code?: unknown };
    return {
      message: typeof message === 'string' ? message : 'failed',
      type: typeof code === 'string' ? code : 'failure',
    };
  }
  return { message: String(error), type: 'failure' };
}
