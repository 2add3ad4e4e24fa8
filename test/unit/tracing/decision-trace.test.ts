import { describe, expect, it } from '@jest/globals';
import { DecisionTrace } from '../../../src/application/engine/decision-trace.js';
import type { ResultMessage } from '../../../src/application/ports/messages.js';
import {
  untraced,
  type RunTracing,
  type SpanOptions,
  type TraceSpan,
} from '../../../src/application/ports/run-tracing.js';
import type { WorkflowRun } from '../../../src/domain/run/workflow-run.js';

interface Recorded {
  name: string;
  options: SpanOptions;
  traceparent: string;
  links: string[];
  attributes: Record<string, unknown>;
  ended: unknown[];
}

/** Records the spans the decision opens; each gets a traceparent naming it. */
function recorder(): { tracing: RunTracing; spans: Recorded[] } {
  const spans: Recorded[] = [];
  const tracing: RunTracing = {
    enabled: true,
    startSpan(name, options) {
      const recorded: Recorded = {
        name,
        options,
        traceparent: `tp-${spans.length}`,
        links: [],
        attributes: { ...options.attributes },
        ended: [],
      };
      spans.push(recorded);
      const span: TraceSpan = {
        traceparent: recorded.traceparent,
        setAttributes: (a) => Object.assign(recorded.attributes, a),
        addLink: (linked) => recorded.links.push(linked.traceparent),
        run: (work) => work(),
        end: (error) => recorded.ended.push(error ?? 'ok'),
      };
      return span;
    },
    detached: (work) => work(),
    flush: () => Promise.resolve(),
  };
  return { tracing, spans };
}

/** Just what DecisionTrace reads of a run: its id and how many dispatches it has pending. */
const run = (id: string, pending = 0) => ({ id, pendingDispatchCount: pending }) as unknown as WorkflowRun;

const result = (runId: string, taskKey: string): ResultMessage => ({
  runId,
  taskKey,
  kind: 'task',
  attempt: 1,
  outcome: 'completed',
  output: null,
  startedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: '2026-01-01T00:00:00.100Z',
});

describe('DecisionTrace', () => {
  it('is not built when tracing is off', () => {
    expect(DecisionTrace.start(untraced)).toBeNull();
    expect(DecisionTrace.forBatch(untraced, 3, 2)).toBeNull();
  });

  it('gives each result its span in the trace its message came from, linked from the batch span', async () => {
    const { tracing, spans } = recorder();
    const trace = DecisionTrace.forBatch(tracing, 3, 2)!;
    await trace.around(async () => {
      trace.begin(
        new Map([
          ['r1', 'root-r1'],
          ['r2', 'root-r2'],
        ]),
      );
      const r1 = run('r1');
      trace.result(r1, result('r1', 'a'), 0, 'exec-a');
      // `a` queued two dispatches (b, c); then `b`'s result queued one more.
      (r1 as unknown as { pendingDispatchCount: number }).pendingDispatchCount = 2;
      trace.result(r1, result('r1', 'b'), 1, 'exec-b');
      // No traceparent on the message: the run's stored trace context is the parent.
      trace.result(run('r2'), result('r2', 'x'), 2, undefined);
      expect([0, 1, 2].map((i) => trace.parentOf('r1', i))).toEqual(['tp-1', 'tp-1', 'tp-2']);
      expect(trace.parentOf('r2', 0)).toBe('tp-3');
      expect(trace.parentOf('unknown', 0)).toBeUndefined();
    });
    const [batch, a, b, x] = spans;
    expect(batch!.name).toBe('orchestrator.apply_batch');
    expect(batch!.options.parent).toEqual({ traceparent: null });
    expect(batch!.links).toEqual(['tp-1', 'tp-2', 'tp-3']);
    expect([a, b, x].map((s) => s!.options.parent)).toEqual([
      { traceparent: 'exec-a' },
      { traceparent: 'exec-b' },
      { traceparent: 'root-r2' },
    ]);
    expect(a!.attributes).toMatchObject({
      'sagaflow.run_id': 'r1',
      'sagaflow.task_key': 'a',
      'sagaflow.attempt': 1,
    });
    // All spans end once, after the decision.
    expect(spans.map((s) => s.ended)).toEqual([['ok'], ['ok'], ['ok'], ['ok']]);
  });

  it('keeps its spans when the decision is taken again, and ends them failed if it fails', async () => {
    const { tracing, spans } = recorder();
    const trace = DecisionTrace.start(tracing)!;
    const error = new Error('database away');
    await expect(
      trace.around(async () => {
        for (let attempt = 0; attempt < 2; attempt++) {
          trace.begin(new Map([['r1', 'root-r1']]));
          expect(trace.parentOf('r1', 0)).toBeUndefined();
          trace.timer(run('r1', 1), 1, 'sweep');
        }
        throw error;
      }),
    ).rejects.toBe(error);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ name: 'run.timer', options: { parent: { traceparent: 'root-r1' } } });
    expect(spans[0]!.attributes['sagaflow.timer.source']).toBe('sweep');
    expect(spans[0]!.ended).toEqual([error]);
  });

  it('puts an operator command in the run trace, linked to the request', async () => {
    const { tracing, spans } = recorder();
    const trace = DecisionTrace.start(tracing)!;
    await trace.around(async () => {
      trace.begin(new Map([['r1', null]]));
      trace.command(run('r1'), 'run.cancel');
      expect(trace.parentOf('r1', 0)).toBe('tp-0');
    });
    expect(spans[0]!.options).toMatchObject({ parent: { traceparent: null }, linkActive: true });
    expect(spans[0]!.name).toBe('run.cancel');
  });
});
