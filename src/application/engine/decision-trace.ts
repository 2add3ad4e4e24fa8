import type { WorkflowRun } from '../../domain/run/workflow-run.js';
import type { ResultMessage } from '../ports/messages.js';
import {
  attemptAttributes,
  traceAttributes as attr,
  type RunTracing,
  type TraceSpan,
} from '../ports/run-tracing.js';

interface Mark {
  /** Index of the run's first pending dispatch this span caused. */
  from: number;
  traceparent: string;
}

/**
 * The spans of one orchestrator decision — a batch of results, timer firings, an operator
 * command — and which span caused each dispatch, so that the dispatch's outbox row carries that
 * span's traceparent and the task joins its run's trace (docs/tracing.md).
 *
 * Spans are opened inside the decision, where the runs are loaded: a result without a
 * traceparent, a timer and a command hang under the run's stored trace context. A decision taken
 * again after a version conflict keeps its spans and only redoes the attribution. Built only
 * when tracing is on.
 */
export class DecisionTrace {
  private readonly spans = new Map<string, TraceSpan>();
  private marks = new Map<string, Mark[]>();
  private runParents: ReadonlyMap<string, string | null> = new Map();

  private constructor(
    private readonly tracing: RunTracing,
    /** The batch span of a result batch: links to each result's span. */
    private readonly batch: TraceSpan | null = null,
  ) {}

  /** The trace of a decision, or null when tracing is off. */
  static start(tracing: RunTracing): DecisionTrace | null {
    return tracing.enabled ? new DecisionTrace(tracing) : null;
  }

  /** A result batch serves many runs: it is a trace of its own that links to each result's span. */
  static forBatch(tracing: RunTracing, results: number, runs: number): DecisionTrace | null {
    if (!tracing.enabled) return null;
    const batch = tracing.startSpan('orchestrator.apply_batch', {
      parent: { traceparent: null },
      attributes: { 'sagaflow.batch.results': results, 'sagaflow.batch.runs': runs },
    });
    return new DecisionTrace(tracing, batch);
  }

  /** Runs the decision and ends every span once it settled (failed, if it failed). */
  async around<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      this.end();
      return result;
    } catch (error) {
      this.end(error);
      throw error;
    }
  }

  /**
   * Runs the batch's database work inside the batch span, so its instrumentation spans nest
   * there. Only that: what happens after commit (read-side updates of each run, publishes with
   * spans of their own) would be a span per run in a trace that is about none of them.
   */
  static store<T>(trace: DecisionTrace | null, work: () => Promise<T>): Promise<T> {
    return trace?.batch ? trace.batch.run(work) : work();
  }

  /** A fresh attempt at the decision, on runs just loaded with their stored trace contexts. */
  begin(runParents: ReadonlyMap<string, string | null>): void {
    this.runParents = runParents;
    this.marks = new Map();
  }

  /** `run.apply_result` of the `index`-th result of the batch, in the trace its message came from. */
  result(
    run: WorkflowRun,
    message: ResultMessage,
    index: number,
    traceparent: string | undefined,
  ): TraceSpan {
    const span = this.open(`result:${index}`, () => {
      const opened = this.tracing.startSpan('run.apply_result', {
        parent: { traceparent: traceparent ?? this.runParent(run.id) },
        kind: 'consumer',
        attributes: {
          ...attemptAttributes(message),
          [attr.outcome]: message.outcome,
        },
      });
      this.batch?.addLink(opened);
      return opened;
    });
    this.attribute(run, span, run.pendingDispatchCount);
    return span;
  }

  /** `run.timer` for a run whose timers fired; `from` is its pending dispatch count before firing. */
  timer(run: WorkflowRun, from: number, source: 'alarm' | 'sweep'): void {
    const span = this.open(`timer:${run.id}`, () =>
      this.tracing.startSpan('run.timer', {
        parent: { traceparent: this.runParent(run.id) },
        attributes: { [attr.runId]: run.id, 'sagaflow.timer.source': source },
      }),
    );
    this.attribute(run, span, from);
  }

  /** `run.cancel` / `run.retry`: in the run's trace, linked to the request that asked for it. */
  command(run: WorkflowRun, name: string): TraceSpan {
    const span = this.open(`command:${run.id}`, () =>
      this.tracing.startSpan(name, {
        parent: { traceparent: this.runParent(run.id) },
        linkActive: true,
        attributes: { [attr.runId]: run.id },
      }),
    );
    this.attribute(run, span, run.pendingDispatchCount);
    return span;
  }

  /** Traceparent for the `index`-th dispatch of the run's changes: the span that caused it. */
  parentOf(runId: string, index: number): string | undefined {
    const marks = this.marks.get(runId);
    if (!marks) return undefined;
    for (let i = marks.length - 1; i >= 0; i--) if (marks[i]!.from <= index) return marks[i]!.traceparent;
    return undefined;
  }

  private end(error?: unknown): void {
    for (const span of this.spans.values()) span.end(error);
    this.batch?.end(error);
  }

  private runParent(runId: string): string | null {
    return this.runParents.get(runId) ?? null;
  }

  private open(key: string, open: () => TraceSpan): TraceSpan {
    let span = this.spans.get(key);
    if (!span) {
      span = open();
      this.spans.set(key, span);
    }
    return span;
  }

  private attribute(run: WorkflowRun, span: TraceSpan, from: number): void {
    const mark = { from, traceparent: span.traceparent };
    const marks = this.marks.get(run.id);
    if (marks) marks.push(mark);
    else this.marks.set(run.id, [mark]);
  }
}
