/**
 * Tracing of runs (docs/contract.md#observability): one run is one trace. The application opens spans through this
 * port and passes their W3C `traceparent` along with whatever it causes (outbox rows, the run
 * row), so work in other processes continues the same trace. Implemented with OpenTelemetry in
 * `src/infrastructure/telemetry`; when tracing is off, `enabled` is false and callers skip all of
 * it (one boolean check on the hot path).
 */
export type SpanAttributes = Record<string, string | number | boolean>;

export interface TraceSpan {
  /** W3C `traceparent` of this span: what children in other processes continue from. */
  readonly traceparent: string;
  setAttributes(attributes: SpanAttributes): void;
  /** Adds a link to another span of this process, e.g. from a batch to its items. */
  addLink(span: TraceSpan): void;
  /** Runs `work` with this span as the active context, so instrumentation spans nest under it. */
  run<T>(work: () => T): T;
  /** Ends the span; with an error (an `Error` or a `{ message, code }` failure) it is marked failed. */
  end(error?: unknown): void;
}

export interface SpanOptions {
  /**
   * Where the span hangs: under the caller's current span (`{ active: true }`, e.g. the API
   * request), continuing the span a stored or received `traceparent` names, or — with
   * `{ traceparent: null }` or a malformed one — in a trace of its own.
   */
  parent: { active: true } | { traceparent: string | null };
  kind?: 'internal' | 'producer' | 'consumer';
  attributes?: SpanAttributes;
  /** Also link to the caller's current span (an operator command's request, in another trace). */
  linkActive?: boolean;
}

export interface RunTracing {
  readonly enabled: boolean;
  startSpan(name: string, options: SpanOptions): TraceSpan;
  /** Runs `work` outside any trace: shared work of many runs (coalesced deletes) belongs to none. */
  detached<T>(work: () => T): T;
  /** Exports what is buffered (graceful shutdown). */
  flush(): Promise<void>;
}

/**
 * Runs `work` with `span` active and ends the span when it settles (failed if it rejects);
 * `finish` may add attributes from the result first.
 */
export async function inSpan<T>(
  span: TraceSpan,
  work: () => Promise<T>,
  finish?: (result: T) => void,
): Promise<T> {
  try {
    const result = await span.run(work);
    finish?.(result);
    span.end();
    return result;
  } catch (error) {
    span.end(error);
    throw error;
  }
}

const noSpan: TraceSpan = {
  traceparent: '',
  setAttributes: () => undefined,
  addLink: () => undefined,
  run: (work) => work(),
  end: () => undefined,
};

/** Tracing off: nothing is recorded; callers check `enabled` and skip span work altogether. */
export const untraced: RunTracing = {
  enabled: false,
  startSpan: () => noSpan,
  detached: (work) => work(),
  flush: () => Promise.resolve(),
};

/** Attribute names of Sagaflow's own spans (docs/tracing.md). */
export const traceAttributes = {
  runId: 'sagaflow.run_id',
  taskKey: 'sagaflow.task_key',
  attempt: 'sagaflow.attempt',
  kind: 'sagaflow.kind',
  outcome: 'sagaflow.outcome',
  taskType: 'sagaflow.task_type',
} as const;

/** The attributes every span about one attempt carries (docs/contract.md#observability). */
export function attemptAttributes(attempt: {
  runId: string;
  taskKey: string;
  attempt: number;
  kind: string;
}): Record<string, string | number> {
  return {
    [traceAttributes.runId]: attempt.runId,
    [traceAttributes.taskKey]: attempt.taskKey,
    [traceAttributes.attempt]: attempt.attempt,
    [traceAttributes.kind]: attempt.kind,
  };
}
