import type { ResultMessage } from '../ports/messages.js';
import type { RunTracing } from '../ports/run-tracing.js';
import type { DecisionLoop } from './decision-loop.js';
import { DecisionTrace } from './decision-trace.js';
import { toOutcome } from './task-dispatch.js';

/** Use case: apply a batch of worker results, in order, in one atomic write. */
export class ResultApplication {
  constructor(
    private readonly loop: DecisionLoop,
    private readonly tracing: RunTracing,
  ) {}

  /** `traceparents[i]` is the trace context the i-th result's message carried (tracing on only). */
  async apply(
    messages: readonly ResultMessage[],
    traceparents?: readonly (string | undefined)[],
  ): Promise<void> {
    if (messages.length === 0) return;
    const ids = [...new Set(messages.map((m) => m.runId))];
    const trace = DecisionTrace.forBatch(this.tracing, messages.length, ids.length);
    await this.loop.decide(ids, trace, (runs, ctx, cached) => {
      // A result the run ignores is normally a duplicate or a late one; but if the run came from
      // the cache, its state may be older than the attempt the result is for (another process
      // moved the run on), and ignoring would lose the result: decide again from the database.
      const doubtful = new Set<string>();
      messages.forEach((message, i) => {
        const run = runs.get(message.runId);
        if (!run) return;
        const span = trace?.result(run, message, i, traceparents?.[i]);
        const applied = run.applyOutcome(toOutcome(message), ctx);
        span?.setAttributes({ 'sagaflow.applied': applied });
        if (!applied && cached.has(message.runId)) doubtful.add(message.runId);
      });
      return doubtful;
    });
  }
}
