import type { WorkflowDefinition } from '../../domain/definition/workflow-definition.js';
import type { DecisionContext } from '../../domain/run/run-events.js';
import type { RunSnapshot } from '../../domain/run/run-snapshot.js';
import type { WorkflowRun } from '../../domain/run/workflow-run.js';
import { NotFoundError } from '../errors.js';
import type { RunTracing } from '../ports/run-tracing.js';
import type { DecisionLoop } from './decision-loop.js';
import { DecisionTrace } from './decision-trace.js';

/** Use case: an operator command (cancel, retry) against one run. */
export class OperatorCommands {
  constructor(
    private readonly loop: DecisionLoop,
    private readonly tracing: RunTracing,
  ) {}

  /**
   * Runs `act` on the run and returns the run as committed, once the committed listeners are
   * done (read-your-writes). `name` is its span in the run's trace (`run.cancel`, `run.retry`).
   * A run of another namespace is not found, exactly like one that does not exist.
   */
  async run(
    namespace: string,
    runId: string,
    act: (run: WorkflowRun, ctx: DecisionContext) => void,
    name: string,
  ): Promise<{ run: RunSnapshot; definition: WorkflowDefinition }> {
    let result: { run: RunSnapshot; definition: WorkflowDefinition } | null = null;
    const trace = DecisionTrace.start(this.tracing);
    // Decide on the run as committed: this process's cached copy may be one another process has
    // moved on since (an api caches the runs it starts; the orchestrator moving them is elsewhere),
    // and a refusal from a stale status is never written, so the version check cannot catch it.
    // Operator commands are rare: one read from PostgreSQL each is nothing.
    this.loop.runs.forget([runId]);
    const { published } = await this.loop.decide([runId], trace, (runs, ctx) => {
      const run = runs.get(runId);
      if (!run || run.namespace !== namespace) throw new NotFoundError(`run ${runId} not found`);
      trace?.command(run, name);
      act(run, ctx);
      result = { run: run.snapshot(), definition: run.definition };
    });
    await published;
    return result!;
  }
}
